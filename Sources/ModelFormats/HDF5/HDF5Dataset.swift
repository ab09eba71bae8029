import CHDF5

/// The element type of a dataset, as far as a model reader cares.
public enum HDF5ElementType: Sendable, Equatable {
  case float(size: Int, littleEndian: Bool)
  case integer(size: Int, signed: Bool, littleEndian: Bool)
  /// Raw bytes with an optional tag (Keras stores bfloat16 as 2-byte opaque plus a `dtype` attribute).
  case opaque(size: Int, tag: String?)
  case other(String)
}

/// An open HDF5 dataset.
public final class HDF5Dataset: @unchecked Sendable {
  let id: hid_t
  public let path: String
  let file: HDF5File

  init(id: hid_t, path: String, file: HDF5File) {
    self.id = id; self.path = path; self.file = file
  }

  deinit { H5Dclose(id) }

  /// Dimensions, outermost first; empty for a scalar.
  public func shape() throws(HDF5Error) -> [Int] {
    let space = H5Dget_space(id)
    guard space >= 0 else { throw HDF5Error(path: path, reason: "cannot read the dataspace") }
    defer { H5Sclose(space) }
    let rank = Int(H5Sget_simple_extent_ndims(space))
    guard rank >= 0, rank <= 32 else { throw HDF5Error(path: path, reason: "unsupported rank \(rank)") }
    var dims = [hsize_t](repeating: 0, count: max(rank, 1))
    guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else {
      throw HDF5Error(path: path, reason: "cannot read the dimensions")
    }
    var shape: [Int] = []
    for dim in dims.prefix(rank) {
      guard dim <= UInt64(Int32.max) else { throw HDF5Error(path: path, reason: "dimension \(dim) is too large") }
      shape.append(Int(dim))
    }
    return shape
  }

  public func elementType() throws(HDF5Error) -> HDF5ElementType {
    let type = H5Dget_type(id)
    guard type >= 0 else { throw HDF5Error(path: path, reason: "cannot read the element type") }
    defer { H5Tclose(type) }
    let size = H5Tget_size(type)
    let littleEndian = H5Tget_order(type) == H5T_ORDER_LE
    switch H5Tget_class(type) {
    case H5T_FLOAT: return .float(size: size, littleEndian: littleEndian)
    case H5T_INTEGER: return .integer(size: size, signed: H5Tget_sign(type) == H5T_SGN_2, littleEndian: littleEndian)
    case H5T_OPAQUE:
      var tag: String?
      if let raw = H5Tget_tag(type) {
        tag = String(cString: raw)
        H5free_memory(raw)
      }
      return .opaque(size: size, tag: tag)
    case H5T_STRING: return .other("string")
    case H5T_COMPOUND: return .other("compound")
    case H5T_ENUM: return .other("enum")
    default: return .other("HDF5 class \(H5Tget_class(type).rawValue)")
    }
  }

  /// The file offset of the raw data when it is stored as one contiguous, unfiltered run (so it can
  /// be used in place); nil for chunked, compact or not-yet-written data.
  public func contiguousOffset() -> Int? {
    let plist = H5Dget_create_plist(id)
    guard plist >= 0 else { return nil }
    defer { H5Pclose(plist) }
    guard H5Pget_layout(plist) == H5D_CONTIGUOUS, H5Pget_nfilters(plist) == 0 else { return nil }
    let offset = H5Dget_offset(id)
    guard offset != chdf5_haddr_undef(), offset <= UInt64(Int.max) else { return nil }
    return Int(offset)
  }

  /// Bytes the data takes in the file.
  public func storageSize() -> Int { Int(clamping: H5Dget_storage_size(id)) }

  /// Reads all elements converted by HDF5 into the memory type `memoryType` of `elementSize` bytes.
  func read(memoryType: hid_t, elementSize: Int, count: Int) throws(HDF5Error) -> [UInt8] {
    let (bytes, overflow) = elementSize.multipliedReportingOverflow(by: count)
    guard !overflow, bytes >= 0 else { throw HDF5Error(path: path, reason: "dataset is too large") }
    var buffer = [UInt8](repeating: 0, count: max(bytes, 1))
    let status = buffer.withUnsafeMutableBytes { H5Dread(id, memoryType, H5.all, H5.all, H5.defaultPlist, $0.baseAddress) }
    guard status >= 0 else { throw HDF5Error(path: path, reason: "cannot read the data (corrupt or truncated)") }
    return Array(buffer.prefix(bytes))
  }

  /// All elements exactly as stored (the file's own type), little-endian types only.
  public func readStored(count: Int) throws(HDF5Error) -> [UInt8] {
    let type = H5Dget_type(id)
    guard type >= 0 else { throw HDF5Error(path: path, reason: "cannot read the element type") }
    defer { H5Tclose(type) }
    return try read(memoryType: type, elementSize: H5Tget_size(type), count: count)
  }

  /// All elements as native float32 (HDF5 converts any float width and byte order).
  public func readFloats(count: Int) throws(HDF5Error) -> [UInt8] {
    try read(memoryType: chdf5_t_native_float(), elementSize: 4, count: count)
  }
}

/// Types the writer creates datasets with.
public enum HDF5StoredType: Sendable {
  /// bfloat16 is stored the way Keras (h5py) stores it: 2-byte opaque elements plus a `dtype`
  /// attribute "bfloat16" on the dataset.
  case float32, int8, bfloat16

  /// The file and memory type, and whether the caller must close it (opaque types are created).
  var handles: (file: hid_t, memory: hid_t, owned: Bool) {
    switch self {
    case .float32: return (chdf5_t_ieee_f32le(), chdf5_t_native_float(), false)
    case .int8: return (chdf5_t_std_i8le(), chdf5_t_native_int8(), false)
    case .bfloat16:
      let opaque = H5Tcreate(H5T_OPAQUE, 2)
      return (opaque, opaque, true)
    }
  }
  var size: Int { [.float32: 4, .int8: 1, .bfloat16: 2][self] ?? 4 }
}

extension HDF5Group {
  /// Creates a contiguous dataset holding `bytes` (little-endian elements of `type`).
  @discardableResult
  public func createDataset(_ name: String, type: HDF5StoredType, shape: [Int], bytes: [UInt8]) throws(HDF5Error) -> HDF5Dataset {
    let full = h5Join(path, name)
    let count = shape.reduce(1, *)
    guard bytes.count == count * type.size else {
      throw HDF5Error(path: full, reason: "\(bytes.count) bytes do not fit shape \(shape)")
    }
    let dims = shape.map { hsize_t($0) }
    let space = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(shape.count), dims, nil)
    guard space >= 0 else { throw HDF5Error(path: full, reason: "cannot create the dataspace") }
    defer { H5Sclose(space) }
    let handles = type.handles
    guard handles.file >= 0 else { throw HDF5Error(path: full, reason: "cannot create the element type") }
    defer { if handles.owned { H5Tclose(handles.file) } }
    let did = H5Dcreate2(id, name, handles.file, space, H5.defaultPlist, H5.defaultPlist, H5.defaultPlist)
    guard did >= 0 else { throw HDF5Error(path: full, reason: "cannot create the dataset") }
    let dataset = HDF5Dataset(id: did, path: full, file: file)
    if count > 0 {
      let status = bytes.withUnsafeBytes { H5Dwrite(did, handles.memory, H5.all, H5.all, H5.defaultPlist, $0.baseAddress) }
      guard status >= 0 else { throw HDF5Error(path: full, reason: "cannot write the data") }
    }
    if type == .bfloat16 { try dataset.writeStringAttribute("dtype", "bfloat16") }
    return dataset
  }
}
