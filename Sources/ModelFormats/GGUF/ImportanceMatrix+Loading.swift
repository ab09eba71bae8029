import TensorCore

extension ImportanceMatrix {
  /// The GGUF layout: F32 tensors `<name>.in_sum2` ([columns, experts]) and `<name>.counts`
  /// ([experts]); importance = in_sum2 / count per expert, 1 where an expert saw no tokens.
  static func loadGGUF(_ bytes: UnsafeRawBufferPointer, file: String) throws(FormatError) -> ImportanceMatrix {
    let parsed = try GGUFParser.parse(bytes, file: file)
    var sums: [String: GGUFTensorInfo] = [:]
    var countInfos: [String: GGUFTensorInfo] = [:]
    for info in parsed.tensors {
      if info.name.hasSuffix(".in_sum2") { sums[String(info.name.dropLast(8))] = info }
      else if info.name.hasSuffix(".counts") { countInfos[String(info.name.dropLast(7))] = info }
    }
    guard !sums.isEmpty else { throw .invalid(file: file, what: "imatrix", offset: nil, reason: "no '<tensor>.in_sum2' entries (is this an imatrix file?)") }
    var entries: [String: [Float]] = [:]
    var counts: [String: [Int]] = [:]
    for (name, sumInfo) in sums {
      guard let countInfo = countInfos[name] else {
        throw .badTensor(file: file, tensor: sumInfo.name, offset: sumInfo.recordOffset, reason: "no matching '\(name).counts' tensor")
      }
      for info in [sumInfo, countInfo] where info.type != .f32 {
        throw .badTensor(file: file, tensor: info.name, offset: info.recordOffset, reason: "must be F32, found \(info.type.rawValue)")
      }
      let values = try floats(of: sumInfo, in: parsed, bytes: bytes, file: file)
      let perExpert = try floats(of: countInfo, in: parsed, bytes: bytes, file: file)
      guard !perExpert.isEmpty, values.count % perExpert.count == 0 else {
        throw .badTensor(file: file, tensor: countInfo.name, offset: countInfo.recordOffset, reason: "\(perExpert.count) counts do not divide \(values.count) sums")
      }
      let columns = values.count / perExpert.count
      var importance = values
      for (expert, count) in perExpert.enumerated() {
        for j in (expert * columns)..<((expert + 1) * columns) { importance[j] = count > 0 ? values[j] / count : 1 }
      }
      entries[name] = importance
      counts[name] = perExpert.map { Int(exactly: $0.rounded()) ?? 0 }
    }
    var datasets: [String] = []
    if case let .array(.string(names))? = parsed["imatrix.datasets"] { datasets = names }
    return ImportanceMatrix(
      entries: entries, counts: counts, chunks: parsed["imatrix.chunk_count"]?.intValue,
      chunkSize: parsed["imatrix.chunk_size"]?.intValue, datasets: datasets, layout: .gguf)
  }

  static func floats(of info: GGUFTensorInfo, in parsed: GGUFFile, bytes: UnsafeRawBufferPointer, file: String) throws(FormatError) -> [Float] {
    let count = info.byteCount / 4
    do {
      let slice = try ByteReader(bytes).slice(at: parsed.dataOffset + info.relativeOffset, count: info.byteCount)
      return FloatDecoding.decode(.f32, from: slice, count: count)
    } catch {
      throw FormatError.from(error, file: file, reading: "data of tensor '\(info.name)'")
    }
  }

  /// The legacy `.dat` layout: int32 entry count; per entry int32 name length, name, int32 calls,
  /// int32 value count, float32 values (sums, divided by calls on load); optionally int32 last
  /// chunk, int32 dataset-name length and the name.
  static func loadLegacy(_ bytes: UnsafeRawBufferPointer, file: String) throws(FormatError) -> ImportanceMatrix {
    var reader = ByteReader(bytes)
    func int32(_ what: String) throws(FormatError) -> Int {
      let at = reader.offset
      let value: Int32
      do { value = try reader.read(Int32.self) } catch { throw FormatError.from(error, file: file, reading: what) }
      guard value >= 0 else { throw .invalid(file: file, what: what, offset: at, reason: "negative value \(value)") }
      return Int(value)
    }
    let countOffset = reader.offset
    let entryCount = try int32("imatrix entry count")
    // Each entry needs at least 12 bytes of lengths.
    guard entryCount > 0, entryCount <= reader.remaining / 12 else {
      throw .invalid(file: file, what: "imatrix entry count", offset: countOffset, reason: "\(entryCount) entries cannot fit in \(reader.remaining) bytes (not an imatrix file?)")
    }
    var entries: [String: [Float]] = [:]
    var counts: [String: [Int]] = [:]
    for index in 0..<entryCount {
      let start = reader.offset
      let length = try int32("name length of imatrix entry #\(index)")
      let name: String
      do { name = try reader.readUTF8(length) } catch { throw FormatError.from(error, file: file, reading: "name of imatrix entry #\(index)") }
      let calls = try int32("call count of '\(name)'")
      let valueCount = try int32("value count of '\(name)'")
      guard let byteCount = Checked.multiply(valueCount, 4), byteCount <= reader.remaining else {
        throw .truncated(file: file, what: "values of '\(name)'", offset: reader.offset, needed: valueCount &* 4, available: reader.remaining)
      }
      guard entries[name] == nil else { throw .invalid(file: file, what: "imatrix entry '\(name)'", offset: start, reason: "duplicate entry") }
      let raw: UnsafeRawBufferPointer
      do { raw = try reader.readSlice(byteCount) } catch { throw FormatError.from(error, file: file, reading: "values of '\(name)'") }
      var values = FloatDecoding.decode(.f32, from: raw, count: valueCount)
      if calls > 0 { values = values.map { $0 / Float(calls) } }
      entries[name] = values
      counts[name] = [calls]
    }
    var chunks: Int?
    var datasets: [String] = []
    if reader.remaining >= 8 {
      chunks = try int32("last chunk")
      let length = try int32("dataset name length")
      do { datasets = [try reader.readUTF8(length)] } catch { throw FormatError.from(error, file: file, reading: "dataset name") }
    }
    return ImportanceMatrix(entries: entries, counts: counts, chunks: chunks, datasets: datasets, layout: .legacyDat)
  }
}
