import TUIKit

/// Where each pane goes for a terminal size. Shared by the views and the reducer (mouse clicks,
/// paging), so both always agree.
public struct ScreenLayout: Equatable, Sendable {
  public var title: Rect
  /// The layer list's frame (empty when hidden on a narrow screen).
  public var list: Rect
  public var detail: Rect
  public var summary: Rect
  public var status: Rect
  public var sideBySide: Bool

  /// Below this width only the focused pane is shown.
  public static let sideBySideWidth = 100

  public init(size: Size, focus: Pane) {
    let screen = Rect(size: size)
    let rows = screen.split(.vertical, [.fixed(1), .fill(1), .fixed(1), .fixed(1)])
    title = rows[0]
    summary = rows[2]
    status = rows[3]
    sideBySide = size.width >= ScreenLayout.sideBySideWidth
    if sideBySide {
      let parts = rows[1].split(.horizontal, [.percent(56), .fill(1)])
      list = parts[0]
      detail = parts[1]
    } else if focus == .list {
      list = rows[1]
      detail = Rect(x: rows[1].x, y: rows[1].y, width: 0, height: 0)
    } else {
      list = Rect(x: rows[1].x, y: rows[1].y, width: 0, height: 0)
      detail = rows[1]
    }
  }

  /// The list's rows inside its border (header row included).
  public var listBody: Rect { list.inset(by: 1) }
}
