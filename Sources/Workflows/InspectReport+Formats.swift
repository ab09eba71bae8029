import QuantEngine
import TensorCore

/// Output formats of `qscope inspect`.
public enum ReportFormat: String, CaseIterable, Sendable {
  case table, json, csv, markdown
}

extension InspectReport {
  /// Renders the report in the requested format.
  public func rendered(as format: ReportFormat) -> String {
    switch format {
    case .json: return json()
    case .csv: return csv()
    case .table: return table()
    case .markdown: return markdown()
    }
  }

  /// The stable JSON of architecture.md.
  public func json() -> String {
    var lines: [String] = []
    lines.append("{")
    lines.append("  \"format\": \(JSONText.string(format.rawValue)),")
    lines.append("  \"file\": \(JSONText.string(file)),")
    lines.append("  \"file_bytes\": \(fileBytes),")
    if let scheme { lines.append("  \"scheme\": \(JSONText.string(scheme.rawValue)),") }
    lines.append("  \"metadata\": " + JSONText.object(metadata.map { ($0.key, JSONText.string($0.value)) }) + ",")
    lines.append("  \"notes\": " + JSONText.array(notes.map(JSONText.string)) + ",")
    let layerItems = layers.map { layer in
      "    " + JSONText.object([
        ("name", JSONText.string(layer.name)), ("kind", layer.kind.map(JSONText.string) ?? "null"),
        ("details", JSONText.array(layer.details.map(JSONText.string))),
        ("tensors", JSONText.array(layer.tensorIndices.compactMap { $0 < tensors.count ? JSONText.string(tensors[$0].name) : nil })),
      ])
    }
    lines.append(layerItems.isEmpty ? "  \"layers\": []," : "  \"layers\": [\n" + layerItems.joined(separator: ",\n") + "\n  ],")
    lines.append("  \"tensors\": [")
    lines.append(tensors.map { "    " + Self.json($0) }.joined(separator: ",\n"))
    lines.append("  ],")
    lines.append("  \"totals\": " + JSONText.object([
      ("elements", String(totalElements)), ("bytes", String(totalBytes)), ("quantized_bytes", String(quantizedBytes)),
    ]))
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  static func json(_ t: TensorReport) -> String {
    var pairs: [(String, String)] = [
      ("name", JSONText.string(t.name)),
      ("layer", t.layer.map(JSONText.string) ?? "null"),
      ("op", t.op.map(JSONText.string) ?? "null"),
      ("shape", JSONText.array(t.shape.map(String.init))),
      ("dtype", JSONText.string(t.dtype.rawValue)),
      ("elements", String(t.elements)),
      ("bytes", String(t.bytes)),
      ("quantizable", t.isQuantizable ? "true" : "false"),
    ]
    if let s = t.stats {
      pairs.append(("stats", JSONText.object([
        ("min", JSONText.number(s.min)), ("max", JSONText.number(s.max)), ("mean", JSONText.number(s.mean)),
        ("std", JSONText.number(s.std)), ("zeros", String(s.zeros)), ("nonfinite", String(s.nonFinite)),
      ])))
    }
    if let h = t.histogram {
      pairs.append(("histogram", JSONText.object([
        ("lo", JSONText.number(h.lo)), ("hi", JSONText.number(h.hi)), ("counts", JSONText.array(h.counts.map(String.init))),
      ])))
    }
    if let q = t.quant {
      var quant: [(String, String)] = [("scheme", JSONText.string(q.scheme.rawValue))]
      if let m = q.metrics {
        quant += [
          ("bytes", String(m.storedBytes)), ("sqnr_db", JSONText.number(m.sqnrDB)), ("mse", JSONText.number(m.mse)),
          ("max_abs_error", JSONText.number(m.maxAbsError)), ("cosine", JSONText.number(m.cosine)),
          ("rmse_over_scale", m.rmseOverScale.map(JSONText.number) ?? "null"),
          ("clipped_fraction", JSONText.number(m.clippedFraction)),
        ]
      }
      if let problem = q.problem { quant.append(("error", JSONText.string(problem))) }
      pairs.append(("quant", JSONText.object(quant)))
    }
    if let note = t.note { pairs.append(("note", JSONText.string(note))) }
    return JSONText.object(pairs)
  }

  var columns: [String] {
    var names = ["name", "layer", "op", "shape", "dtype", "elements", "bytes", "min", "max", "mean", "std", "zeros", "nonfinite"]
    if scheme != nil { names += ["scheme", "q_bytes", "sqnr_db", "mse", "max_abs_error", "cosine"] }
    return names
  }

  func row(_ t: TensorReport) -> [String] {
    let s = t.stats
    var cells = [
      t.name, t.layer ?? "", t.op ?? "", Shape.describe(t.shape), t.dtype.rawValue, String(t.elements), String(t.bytes),
      s.map { Format.number(Double($0.min)) } ?? "", s.map { Format.number(Double($0.max)) } ?? "",
      s.map { Format.number($0.mean) } ?? "", s.map { Format.number($0.std) } ?? "",
      s.map { String($0.zeros) } ?? "", s.map { String($0.nonFinite) } ?? "",
    ]
    if scheme != nil {
      if let q = t.quant, let m = q.metrics {
        cells += [q.scheme.rawValue, String(m.storedBytes), Format.decibels(m.sqnrDB), Format.number(m.mse),
                  Format.number(m.maxAbsError), Format.number(m.cosine, digits: 6)]
      } else if let q = t.quant {
        cells += [q.scheme.rawValue, "", "", "", "", ""]
      } else {
        cells += ["-", String(t.bytes), "", "", "", ""]
      }
    }
    return cells
  }

  func csv() -> String {
    func field(_ s: String) -> String {
      s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
    var lines = [columns.joined(separator: ",")]
    for t in tensors { lines.append(row(t).map(field).joined(separator: ",")) }
    return lines.joined(separator: "\n") + "\n"
  }

  func markdown() -> String {
    var lines = ["| " + columns.joined(separator: " | ") + " |", "|" + columns.map { _ in "---" }.joined(separator: "|") + "|"]
    for t in tensors { lines.append("| " + row(t).map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |") }
    lines.append("")
    lines.append(totalsLine())
    return lines.joined(separator: "\n") + "\n"
  }

  func table() -> String {
    var header = ["tensor", "op", "shape", "dtype", "params", "bytes", "min", "max", "std"]
    if scheme != nil { header += ["scheme", "q_bytes", "sqnr_db", "cosine"] }
    var rows: [[String]] = []
    for t in tensors {
      let s = t.stats
      var cells = [Self.abbreviated(t.name, to: 48), t.op ?? "", Shape.describe(t.shape), t.dtype.rawValue, Format.count(t.elements), Format.bytes(t.bytes),
                   s.map { Format.number(Double($0.min)) } ?? "-", s.map { Format.number(Double($0.max)) } ?? "-",
                   s.map { Format.number($0.std) } ?? "-"]
      if scheme != nil {
        if let q = t.quant, let m = q.metrics {
          cells += [q.scheme.rawValue, Format.bytes(m.storedBytes), Format.decibels(m.sqnrDB), Format.number(m.cosine, digits: 6)]
        } else if let q = t.quant {
          cells += [q.scheme.rawValue, "n/a", "n/a", "n/a"]
        } else {
          cells += ["keep", Format.bytes(t.bytes), "", ""]
        }
      }
      rows.append(cells)
    }
    var out = "\(file) — \(format.rawValue), \(Format.bytes(fileBytes)), \(tensors.count) tensors\n"
    for note in notes { out += "note: \(note)\n" }
    out += layerTable()
    out += TextTable.render(header: header, rows: rows, rightAligned: Set(4..<header.count))
    for t in tensors {
      if let note = t.note { out += "note: \(t.name): \(note)\n" }
      if let problem = t.quant?.problem { out += "note: \(t.name): \(problem)\n" }
    }
    out += totalsLine() + "\n"
    return out
  }

  /// Long names (TFLite joins fused op names with ';') keep their start and end in the table;
  /// json, csv and markdown always carry the full name.
  static func abbreviated(_ name: String, to width: Int) -> String {
    guard name.count > width else { return name }
    let head = (width - 1) / 2, tail = width - 1 - head
    return String(name.prefix(head)) + "…" + String(name.suffix(tail))
  }

  /// The layer list, shown when the format knows more about its layers than their names
  /// (Keras classes and configs, TFLite ops with their options).
  func layerTable() -> String {
    guard layers.contains(where: { !$0.details.isEmpty }) else { return "" }
    let rows = layers.map { layer in
      [layer.name, layer.kind ?? "", String(layer.tensorIndices.count), Self.abbreviated(layer.details.joined(separator: ", "), to: 110)]
    }
    return TextTable.render(header: ["layer", "class/op", "weights", "details"], rows: rows) + "\n"
  }

  func totalsLine() -> String {
    var line = "total: \(Format.count(totalElements)) params, \(Format.bytes(totalBytes))"
    if let scheme {
      let ratio = quantizedBytes > 0 ? Double(totalBytes) / Double(quantizedBytes) : 0
      line += " → \(Format.bytes(quantizedBytes)) with \(scheme.rawValue) (\(Format.number(ratio, digits: 3))×)"
    }
    return line
  }
}
