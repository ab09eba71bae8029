import CHDF5

/// Something attributes hang on: a group or a dataset.
public protocol HDF5Object {
  var objectID: hid_t { get }
  var path: String { get }
}

extension HDF5Group: HDF5Object { public var objectID: hid_t { id } }
extension HDF5Dataset: HDF5Object { public var objectID: hid_t { id } }

/// Attributes larger than this are not read (Keras' own name lists are split below 64 KiB).
let maxAttributeBytes = 1 << 26

extension HDF5Object {
  public func hasAttribute(_ name: String) -> Bool { H5Aexists(objectID, name) > 0 }

  /// Names of all attributes, in name order.
  public func attributeNames() throws(HDF5Error) -> [String] {
    var info = H5O_info_t()
    guard H5Oget_info2(objectID, &info, UInt32(H5O_INFO_NUM_ATTRS)) >= 0 else {
      throw HDF5Error(path: path, reason: "cannot list attributes")
    }
    var names: [String] = []
    for index in 0..<info.num_attrs {
      let length = H5Aget_name_by_idx(objectID, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, H5.defaultPlist)
      guard length >= 0, length < 1 << 16 else { throw HDF5Error(path: path, reason: "cannot read attribute \(index)'s name") }
      var buffer = [CChar](repeating: 0, count: length + 1)
      _ = H5Aget_name_by_idx(objectID, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, length + 1, H5.defaultPlist)
      names.append(String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return names
  }

  /// Size in bytes of the file (or file image) holding this object; 0 when HDF5 cannot say.
  var containingFileSize: Int {
    let file = H5Iget_file_id(objectID)
    defer { if file >= 0 { H5Fclose(file) } }
    var size: hsize_t = 0
    guard file >= 0, H5Fget_filesize(file, &size) >= 0 else { return 0 }
    return Int(clamping: size)
  }

  /// A string (or string-array) attribute, fixed or variable length, any character set.
  /// Returns nil when the attribute is absent; an empty array for an empty non-string list
  /// (Keras 3 writes an empty float64 array for "no weights").
  public func stringsAttribute(_ name: String) throws(HDF5Error) -> [String]? {
    guard hasAttribute(name) else { return nil }
    let where_ = "\(path) attribute '\(name)'"
    let attr = H5Aopen(objectID, name, H5.defaultPlist)
    guard attr >= 0 else { throw HDF5Error(path: where_, reason: "cannot open the attribute") }
    defer { H5Aclose(attr) }
    let type = H5Aget_type(attr), space = H5Aget_space(attr)
    defer { if type >= 0 { H5Tclose(type) }; if space >= 0 { H5Sclose(space) } }
    guard type >= 0, space >= 0 else { throw HDF5Error(path: where_, reason: "cannot read the attribute's type") }
    let count = Int(H5Sget_simple_extent_npoints(space))
    // Every element occupies at least one byte of the file (a variable-length one a 16-byte heap
    // reference): a corrupt count would otherwise send HDF5 through millions of heap lookups.
    let perElement = H5Tis_variable_str(type) > 0 ? 16 : max(1, H5Tget_size(type))
    guard count >= 0, count < 1 << 24, count <= containingFileSize / perElement else {
      throw HDF5Error(path: where_, reason: "implausible element count \(count) for a \(containingFileSize)-byte file")
    }
    guard H5Tget_class(type) == H5T_STRING else {
      if count == 0 { return [] }
      throw HDF5Error(path: where_, reason: "expected text, found a non-string attribute")
    }
    if count == 0 { return [] }
    if H5Tis_variable_str(type) > 0 {
      // Reading with the attribute's own type avoids HDF5's refusal to convert between ASCII and UTF-8.
      var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
      guard H5Aread(attr, type, &pointers) >= 0 else { throw HDF5Error(path: where_, reason: "cannot read the text") }
      let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
      H5Dvlen_reclaim(type, space, H5.defaultPlist, &pointers)
      return strings
    }
    let size = H5Tget_size(type)
    guard size > 0, size.multipliedReportingOverflow(by: count).partialValue <= maxAttributeBytes,
      !size.multipliedReportingOverflow(by: count).overflow
    else { throw HDF5Error(path: where_, reason: "implausible text size") }
    var buffer = [UInt8](repeating: 0, count: size * count)
    guard H5Aread(attr, type, &buffer) >= 0 else { throw HDF5Error(path: where_, reason: "cannot read the text") }
    return (0..<count).map { i in
      // Fixed-length strings are NUL-padded (and not NUL-terminated when full).
      let slice = buffer[(i * size)..<((i + 1) * size)]
      let end = slice.firstIndex(of: 0) ?? slice.endIndex
      return String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
    }
  }

  /// A single string attribute, or nil when absent or not a scalar text.
  public func stringAttribute(_ name: String) throws(HDF5Error) -> String? {
    guard let values = try stringsAttribute(name) else { return nil }
    return values.count == 1 ? values[0] : nil
  }

  /// Writes a variable-length UTF-8 scalar string attribute (how h5py stores a Python `str`).
  public func writeStringAttribute(_ name: String, _ value: String) throws(HDF5Error) {
    let where_ = "\(path) attribute '\(name)'"
    let type = H5Tcopy(chdf5_t_c_s1())
    defer { if type >= 0 { H5Tclose(type) } }
    guard type >= 0, H5Tset_size(type, chdf5_t_variable()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
      throw HDF5Error(path: where_, reason: "cannot make a string type")
    }
    let space = H5Screate(H5S_SCALAR)
    defer { if space >= 0 { H5Sclose(space) } }
    let attr = H5Acreate2(objectID, name, type, space, H5.defaultPlist, H5.defaultPlist)
    guard attr >= 0 else { throw HDF5Error(path: where_, reason: "cannot create the attribute") }
    defer { H5Aclose(attr) }
    let status = value.withCString { text -> herr_t in
      var pointer: UnsafePointer<CChar>? = text
      return H5Awrite(attr, type, &pointer)
    }
    guard status >= 0 else { throw HDF5Error(path: where_, reason: "cannot write the attribute") }
  }

  /// Copies every attribute of `source` onto this object, keeping types and values.
  public func copyAttributes(from source: some HDF5Object) throws(HDF5Error) {
    for name in try source.attributeNames() {
      let where_ = "\(source.path) attribute '\(name)'"
      let attr = H5Aopen(source.objectID, name, H5.defaultPlist)
      guard attr >= 0 else { throw HDF5Error(path: where_, reason: "cannot open the attribute") }
      defer { H5Aclose(attr) }
      let type = H5Aget_type(attr), space = H5Aget_space(attr)
      defer { if type >= 0 { H5Tclose(type) }; if space >= 0 { H5Sclose(space) } }
      let count = Int(H5Sget_simple_extent_npoints(space))
      let size = H5Tget_size(type)
      let (bytes, overflow) = size.multipliedReportingOverflow(by: max(count, 1))
      guard type >= 0, space >= 0, count >= 0, !overflow, bytes <= maxAttributeBytes,
        bytes <= source.containingFileSize
      else {
        throw HDF5Error(path: where_, reason: "cannot read the attribute's type or size")
      }
      var buffer = [UInt8](repeating: 0, count: bytes)
      guard H5Aread(attr, type, &buffer) >= 0 else { throw HDF5Error(path: where_, reason: "cannot read the attribute") }
      let copy = H5Acreate2(objectID, name, type, space, H5.defaultPlist, H5.defaultPlist)
      let written = copy >= 0 ? H5Awrite(copy, type, buffer) : -1
      if copy >= 0 { H5Aclose(copy) }
      if H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tis_variable_str(type) > 0 {
        H5Dvlen_reclaim(type, space, H5.defaultPlist, &buffer)
      }
      guard written >= 0 else { throw HDF5Error(path: "\(path) attribute '\(name)'", reason: "cannot write the attribute") }
    }
  }
}
