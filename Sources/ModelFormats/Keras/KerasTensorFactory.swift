import TensorCore

/// Turns HDF5 datasets into ``ModelTensor``s whose bytes are used in place where the layout allows.
struct KerasTensorFactory {
  /// The mapped bytes that hold the HDF5 image (the .h5 file, or the archive the member sits in).
  var weightsFile: MappedFile
  /// Where the HDF5 image starts inside `weightsFile`.
  var imageOffset: Int
  /// The model file, for messages.
  var path: String

  /// The tensor for `dataset`, or nil with a reason when its element type is not one we decode.
  func tensor(_ dataset: HDF5Dataset, name: String) throws(FormatError) -> (ModelTensor?, String?) {
    let shape: [Int]
    let type: HDF5ElementType
    do {
      shape = try dataset.shape()
      type = try dataset.elementType()
    } catch { throw .badTensor(file: path, tensor: name, offset: nil, reason: "HDF5 \(error)") }
    guard let count = Shape.elementCount(shape) else {
      throw .badTensor(file: path, tensor: name, offset: nil, reason: "shape \(shape) overflows")
    }
    var dtype: DType?
    var littleEndian = true
    switch type {
    case let .float(size, le):
      littleEndian = le
      dtype = [2: DType.f16, 4: .f32, 8: .f64][size]
    case let .integer(size, signed, le):
      littleEndian = le
      dtype = signed ? [1: DType.i8, 2: .i16, 4: .i32, 8: .i64][size] : [1: DType.u8, 2: .u16, 4: .u32, 8: .u64][size]
    case let .opaque(size, _):
      let tag = (try? dataset.stringAttribute("dtype")) ?? nil
      if size == 2, tag == "bfloat16" { dtype = .bf16 }
    case .other:
      break
    }
    guard let dtype, let byteCount = dtype.byteCount(elements: count) else {
      return (nil, "skipped '\(name)' (\(dataset.path)): element type \(type) is not decoded")
    }
    let location: TensorLocation
    do throws(ByteReaderError) {
      if littleEndian, let offset = dataset.contiguousOffset(), dataset.storageSize() == byteCount {
        let (start, overflow) = imageOffset.addingReportingOverflow(offset)
        guard !overflow else { throw ByteReaderError.outOfBounds(offset: offset, needed: byteCount, available: 0) }
        location = try TensorLocation(file: weightsFile, offset: start, byteCount: byteCount)
      } else {
        // Chunked, compact, big-endian or unwritten data: HDF5 assembles it into memory.
        let bytes: [UInt8]
        do {
          bytes = littleEndian ? try dataset.readStored(count: count) : try dataset.readFloats(count: count)
        } catch { return (nil, "skipped '\(name)': HDF5 \(error)") }
        let memory = MappedFile(bytes: bytes, name: "\(path):\(dataset.path)")
        location = try TensorLocation(file: memory, offset: 0, byteCount: memory.count)
        if !littleEndian {
          return (ModelTensor(name: name, shape: shape, dtype: .f32, location: location), nil)
        }
      }
    } catch {
      throw .badTensor(file: path, tensor: name, offset: dataset.contiguousOffset(),
                       reason: "data lies outside the file (\(error)); the file might be truncated")
    }
    return (ModelTensor(name: name, shape: shape, dtype: dtype, location: location), nil)
  }
}
