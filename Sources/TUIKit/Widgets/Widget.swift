/// Something that draws itself into a rectangle of a screen buffer.
///
/// Widgets are plain values built fresh each frame; state that must survive between frames
/// (a selection, a scroll offset) lives in the app state and is passed in. `render` must accept
/// any area, including 0×0 and 1×1, and must not draw outside it.
public protocol Widget {
  func render(into buffer: inout ScreenBuffer, area: Rect)
}

/// Keeping a selected row visible in a scrolled list.
public enum Scrolling {
  /// The scroll offset that keeps `selected` within `visible` rows, changing `offset` as little
  /// as possible, and never scrolling past the end of `count` rows.
  public static func offset(keeping selected: Int?, visible: Int, current offset: Int, count: Int) -> Int {
    guard visible > 0, count > 0 else { return 0 }
    var result = min(max(0, offset), max(0, count - visible))
    if let selected {
      let row = min(max(0, selected), count - 1)
      if row < result { result = row }
      if row >= result + visible { result = row - visible + 1 }
    }
    return result
  }
}
