/// The name of a themable color slot, spelled in `snake_case` as in theme files
/// (`tensor_list_selected_bg`, `status_fg`). Roles name a purpose, never a color.
public struct ThemeRole: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { self.rawValue = value }
  public var description: String { rawValue }
}

extension ThemeRole {
  public static let mainFg: ThemeRole = "main_fg"
  public static let mainBg: ThemeRole = "main_bg"
  public static let borderFg: ThemeRole = "border_fg"
  public static let borderFocusedFg: ThemeRole = "border_focused_fg"
  public static let titleFg: ThemeRole = "title_fg"
  public static let titleFocusedFg: ThemeRole = "title_focused_fg"
  public static let tensorListFg: ThemeRole = "tensor_list_fg"
  public static let tensorListHeaderFg: ThemeRole = "tensor_list_header_fg"
  public static let tensorListSelectedFg: ThemeRole = "tensor_list_selected_fg"
  public static let tensorListSelectedBg: ThemeRole = "tensor_list_selected_bg"
  public static let tensorListModifiedFg: ThemeRole = "tensor_list_modified_fg"
  public static let detailLabelFg: ThemeRole = "detail_label_fg"
  public static let detailValueFg: ThemeRole = "detail_value_fg"
  public static let statusFg: ThemeRole = "status_fg"
  public static let statusBg: ThemeRole = "status_bg"
  public static let statusKeyFg: ThemeRole = "status_key_fg"
  public static let helpKeyFg: ThemeRole = "help_key_fg"
  public static let helpDescFg: ThemeRole = "help_desc_fg"
  public static let helpSectionFg: ThemeRole = "help_section_fg"
  public static let histogramBar: ThemeRole = "histogram_bar"
  public static let histogramGrid: ThemeRole = "histogram_grid"
  public static let clipMarker: ThemeRole = "clip_marker"
  public static let errorHistogramBar: ThemeRole = "error_histogram_bar"
  public static let rangeStrip: ThemeRole = "range_strip"
  public static let rangeZero: ThemeRole = "range_zero"
  public static let frontierPoint: ThemeRole = "frontier_point"
  public static let frontierLine: ThemeRole = "frontier_line"
  public static let frontierCurrent: ThemeRole = "frontier_current"
  public static let gaugeFg: ThemeRole = "gauge_fg"
  public static let gaugeBg: ThemeRole = "gauge_bg"
  public static let dialogFg: ThemeRole = "dialog_fg"
  public static let dialogBg: ThemeRole = "dialog_bg"
  public static let dialogBorderFg: ThemeRole = "dialog_border_fg"
  public static let inputFg: ThemeRole = "input_fg"
  public static let inputBg: ThemeRole = "input_bg"
  public static let pickerSelectedFg: ThemeRole = "picker_selected_fg"
  public static let pickerSelectedBg: ThemeRole = "picker_selected_bg"
  public static let accentFg: ThemeRole = "accent_fg"
  public static let dimFg: ThemeRole = "dim_fg"
  public static let errorFg: ThemeRole = "error_fg"
  public static let warningFg: ThemeRole = "warning_fg"
  public static let successFg: ThemeRole = "success_fg"
  public static let pendingFg: ThemeRole = "pending_fg"
  public static let disabledFg: ThemeRole = "disabled_fg"

  /// Every role the built-in theme defines; theme files may set any of them.
  public static let all: [ThemeRole] = [
    .mainFg, .mainBg, .borderFg, .borderFocusedFg, .titleFg, .titleFocusedFg, .tensorListFg,
    .tensorListHeaderFg, .tensorListSelectedFg, .tensorListSelectedBg, .tensorListModifiedFg,
    .detailLabelFg, .detailValueFg, .statusFg, .statusBg, .statusKeyFg, .helpKeyFg, .helpDescFg,
    .helpSectionFg, .histogramBar, .histogramGrid, .clipMarker, .errorHistogramBar, .rangeStrip,
    .rangeZero, .frontierPoint, .frontierLine, .frontierCurrent, .gaugeFg, .gaugeBg, .dialogFg,
    .dialogBg, .dialogBorderFg, .inputFg, .inputBg, .pickerSelectedFg, .pickerSelectedBg,
    .accentFg, .dimFg, .errorFg, .warningFg, .successFg, .pendingFg, .disabledFg,
  ]
}
