/// A terminal UI toolkit with no C dependencies: cells, screen buffers, widgets, keys.
public enum TUIKit {}
