/// Word wrapping and truncation measured in terminal columns.
public enum TextWrap {
  /// Breaks `text` into lines of at most `width` columns, at spaces where possible and inside
  /// words that are longer than a line. Explicit newlines are kept. A width below 1 yields no lines.
  public static func wrap(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [] }
    var result: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
      var line = ""
      var lineWidth = 0
      for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
        var piece = String(word)
        var pieceWidth = CharWidth.width(of: piece)
        if lineWidth > 0 {
          if lineWidth + 1 + pieceWidth <= width {
            line += " " + piece
            lineWidth += 1 + pieceWidth
            continue
          }
          result.append(line)
          line = ""
          lineWidth = 0
        }
        while pieceWidth > width {
          let (head, rest) = split(piece, atColumn: width)
          result.append(head)
          piece = rest
          pieceWidth = CharWidth.width(of: piece)
        }
        line = piece
        lineWidth = pieceWidth
      }
      result.append(line)
    }
    return result
  }

  /// `text` cut to at most `width` columns, ending in `ellipsis` when something was cut.
  public static func truncate(_ text: String, width: Int, ellipsis: Character = "…") -> String {
    guard width > 0 else { return "" }
    guard CharWidth.width(of: text) > width else { return text }
    let (head, _) = split(text, atColumn: width - 1)
    return head + String(ellipsis)
  }

  /// `text` padded with spaces or truncated to exactly `width` columns, aligned as asked.
  public static func fit(
    _ text: String, width: Int, alignment: Alignment = .left, ellipsis: Character = "…"
  ) -> String {
    let cut = truncate(text, width: width, ellipsis: ellipsis)
    let gap = max(0, width - CharWidth.width(of: cut))
    switch alignment {
    case .left: return cut + String(repeating: " ", count: gap)
    case .right: return String(repeating: " ", count: gap) + cut
    case .center:
      return String(repeating: " ", count: gap / 2) + cut + String(repeating: " ", count: gap - gap / 2)
    }
  }

  static func split(_ text: String, atColumn column: Int) -> (String, String) {
    var head = ""
    var used = 0
    var index = text.startIndex
    while index < text.endIndex {
      let w = CharWidth.width(of: text[index])
      if used + w > column { break }
      head.append(text[index])
      used += w
      index = text.index(after: index)
    }
    if head.isEmpty, index < text.endIndex {
      // A wide character in a one-column space: take it anyway so wrapping always progresses.
      head.append(text[index])
      index = text.index(after: index)
    }
    return (head, String(text[index...]))
  }
}
