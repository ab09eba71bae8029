/// The shared engine facade used by the CLI and the TUI.
public enum Workflows {}
