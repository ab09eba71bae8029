import Foundation

/// Human-readable numbers for tables and the TUI.
public enum Format {
  /// 1536 → "1.5 KiB".
  public static func bytes(_ count: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(count)
    var unit = 0
    while abs(value) >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(count) B" : String(format: value < 10 ? "%.2f %@" : "%.1f %@", value, units[unit])
  }

  /// 22713216 → "22.7M".
  public static func count(_ n: Int) -> String {
    let value = Double(n)
    if n >= 1_000_000_000 { return String(format: "%.2fG", value / 1e9) }
    if n >= 1_000_000 { return String(format: "%.1fM", value / 1e6) }
    if n >= 10_000 { return String(format: "%.1fk", value / 1e3) }
    return String(n)
  }

  /// Compact number with `digits` significant digits.
  public static func number(_ value: Double, digits: Int = 4) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    return String(format: "%.\(digits)g", value)
  }

  /// SQNR in dB with one decimal; infinite (exact) prints as "exact".
  public static func decibels(_ value: Double) -> String {
    guard value.isFinite else { return value > 0 ? "exact" : "-inf" }
    return String(format: "%.1f", value)
  }
}

/// Plain-text column alignment for terminal tables.
public enum TextTable {
  public static func render(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
    var widths = header.map(\.count)
    for row in rows {
      for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { i, cell in
        let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
        return rightAligned.contains(i) ? pad + cell : cell + pad
      }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    var out = line(header) + "\n"
    out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
    for row in rows { out += line(row) + "\n" }
    return out
  }
}
