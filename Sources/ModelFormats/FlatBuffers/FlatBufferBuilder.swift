/// Builds a FlatBuffer back to front, as the reference builder does: children are written before
/// their parents so every uoffset points forward, vtables are shared when byte-identical, and
/// every scalar lands aligned to its size relative to the start of the finished buffer (the
/// buffer is padded at the front so that end-relative and start-relative alignment agree).
///
/// Offsets handed out (``Offset``) are measured from the end of the buffer.
public struct FlatBufferBuilder {
  /// A position measured from the end of the buffer.
  public typealias Offset = Int

  /// Storage; the built bytes are `storage[head...]`.
  private var storage: [UInt8]
  private var head: Int
  private var minAlignment = 1
  private var vtables: [Offset] = []
  /// Field positions of the table being built: (field id, end-relative position).
  private var currentFields: [(id: Int, position: Offset)] = []
  private var tableStart: Offset?

  public init(capacity: Int = 1024) {
    storage = [UInt8](repeating: 0, count: max(capacity, 16))
    head = storage.count
  }

  /// Bytes written so far.
  public var size: Int { storage.count - head }

  // MARK: Raw space

  private mutating func grow(by needed: Int) {
    guard head < needed else { return }
    let old = storage.count
    var newCount = max(old * 2, 16)
    while newCount - size < needed { newCount *= 2 }
    var bigger = [UInt8](repeating: 0, count: newCount)
    let used = size
    bigger.withUnsafeMutableBytes { dst in
      storage.withUnsafeBytes { src in
        guard let d = dst.baseAddress, let s = src.baseAddress else { return }
        (d + (newCount - used)).copyMemory(from: s + head, byteCount: used)
      }
    }
    storage = bigger
    head = newCount - used
  }

  private mutating func pad(_ count: Int) {
    guard count > 0 else { return }
    grow(by: count)
    for i in 0..<count { storage[head - 1 - i] = 0 }
    head -= count
  }

  /// Pads so that after writing `additional` more bytes the size is a multiple of `alignment`.
  public mutating func prepare(alignment: Int, additional: Int) {
    minAlignment = max(minAlignment, alignment)
    let total = size + additional
    let padding = (alignment - total % alignment) % alignment
    pad(padding)
  }

  private mutating func push<T: FixedWidthInteger>(_ value: T) {
    let n = MemoryLayout<T>.size
    grow(by: n)
    head -= n
    withUnsafeBytes(of: value.littleEndian) { raw in
      for i in 0..<n { storage[head + i] = raw[i] }
    }
  }

  private mutating func push(bytes: UnsafeRawBufferPointer) {
    grow(by: bytes.count)
    head -= bytes.count
    storage.withUnsafeMutableBytes { dst in
      guard let d = dst.baseAddress, let s = bytes.baseAddress, bytes.count > 0 else { return }
      (d + head).copyMemory(from: s, byteCount: bytes.count)
    }
  }

  /// Writes `bytes` as an opaque block whose first byte lands on an `alignment` boundary of the
  /// finished buffer, and returns the position of that first byte. Offsets into the block are
  /// `returned value − byte index`. (Used to keep a whole original FlatBuffer behind a new one.)
  public mutating func appendOpaque(_ bytes: UnsafeRawBufferPointer, alignment: Int) -> Offset {
    prepare(alignment: alignment, additional: bytes.count)
    push(bytes: bytes)
    return size
  }

  // MARK: Strings and vectors

  /// Writes a zero-terminated string.
  public mutating func createString(_ bytes: UnsafeRawBufferPointer) -> Offset {
    prepare(alignment: 4, additional: bytes.count + 1)
    push(UInt8(0))
    push(bytes: bytes)
    push(UInt32(truncatingIfNeeded: bytes.count))
    return size
  }

  public mutating func createString(_ string: String) -> Offset {
    Array(string.utf8).withUnsafeBytes { createString($0) }
  }

  /// Writes a vector of scalars given as raw little-endian bytes.
  public mutating func createVector(_ bytes: UnsafeRawBufferPointer, elementSize: Int, alignment: Int) -> Offset {
    prepare(alignment: 4, additional: bytes.count)
    prepare(alignment: max(alignment, elementSize), additional: bytes.count)
    push(bytes: bytes)
    push(UInt32(truncatingIfNeeded: bytes.count / max(elementSize, 1)))
    return size
  }

  public mutating func createVector(_ bytes: [UInt8], elementSize: Int, alignment: Int) -> Offset {
    bytes.withUnsafeBytes { createVector($0, elementSize: elementSize, alignment: alignment) }
  }

  /// Writes a vector of uoffsets to tables or strings written earlier.
  public mutating func createOffsetVector(_ targets: [Offset]) -> Offset {
    prepare(alignment: 4, additional: 4 * targets.count)
    for target in targets.reversed() {
      prepare(alignment: 4, additional: 4)
      push(UInt32(truncatingIfNeeded: size + 4 - target))
    }
    push(UInt32(truncatingIfNeeded: targets.count))
    return size
  }

  // MARK: Tables

  public mutating func startTable() {
    precondition(tableStart == nil, "tables cannot nest while being built")
    currentFields.removeAll(keepingCapacity: true)
    tableStart = size
  }

  /// Adds an inline scalar of `size` bytes (1, 2, 4 or 8) holding the low bits of `bits`.
  public mutating func addScalar(_ id: Int, bits: UInt64, size byteSize: Int) {
    prepare(alignment: byteSize, additional: byteSize)
    switch byteSize {
    case 1: push(UInt8(truncatingIfNeeded: bits))
    case 2: push(UInt16(truncatingIfNeeded: bits))
    case 4: push(UInt32(truncatingIfNeeded: bits))
    default: push(bits)
    }
    currentFields.append((id, size))
  }

  /// Adds a uoffset field pointing at something written before the table was started.
  public mutating func addOffset(_ id: Int, _ target: Offset) {
    prepare(alignment: 4, additional: 4)
    push(UInt32(truncatingIfNeeded: size + 4 - target))
    currentFields.append((id, size))
  }

  /// Finishes the table: writes its soffset and (unless an identical one exists) its vtable.
  public mutating func endTable() -> Offset {
    let start = tableStart ?? size
    tableStart = nil
    prepare(alignment: 4, additional: 4)
    push(Int32(0))
    let table = size
    let maxId = currentFields.map(\.id).max() ?? -1
    var entries = [UInt16](repeating: 0, count: maxId + 1)
    for field in currentFields { entries[field.id] = UInt16(truncatingIfNeeded: table - field.position) }
    let vtableSize = UInt16(4 + 2 * entries.count)
    let inlineSize = UInt16(truncatingIfNeeded: table - start)
    let wanted = [vtableSize, inlineSize] + entries
    var vtable: Offset? = nil
    for existing in vtables where matches(vtableAt: existing, wanted) { vtable = existing; break }
    if vtable == nil {
      for entry in wanted.reversed() { push(entry) }
      vtable = size
      vtables.append(size)
    }
    let soffset = Int32(truncatingIfNeeded: (vtable ?? size) - table)
    withUnsafeBytes(of: soffset.littleEndian) { raw in
      let at = storage.count - table
      for i in 0..<4 { storage[at + i] = raw[i] }
    }
    return table
  }

  private func matches(vtableAt offset: Offset, _ wanted: [UInt16]) -> Bool {
    let at = storage.count - offset
    guard at >= head, at + 2 * wanted.count <= storage.count else { return false }
    for (i, value) in wanted.enumerated() {
      let stored = UInt16(storage[at + 2 * i]) | UInt16(storage[at + 2 * i + 1]) << 8
      if stored != value { return false }
    }
    return true
  }

  // MARK: Finishing

  /// Writes the file identifier and root offset and returns the finished bytes.
  public mutating func finish(root: Offset, identifier: String) -> [UInt8] {
    prepare(alignment: max(minAlignment, 4), additional: 8)
    let id = Array(identifier.utf8.prefix(4))
    for byte in id.reversed() { push(byte) }
    push(UInt32(truncatingIfNeeded: size + 4 - root))
    return Array(storage[head...])
  }
}
