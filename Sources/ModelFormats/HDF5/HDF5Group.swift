import CHDF5

/// What a link in a group points to.
public enum HDF5ObjectKind: Sendable, Equatable {
  case group, dataset, other
}

/// An open HDF5 group.
public final class HDF5Group: @unchecked Sendable {
  let id: hid_t
  /// Absolute path, for messages.
  public let path: String
  let file: HDF5File

  init(id: hid_t, path: String, file: HDF5File) {
    self.id = id; self.path = path; self.file = file
  }

  deinit { H5Gclose(id) }

  /// Names of the group's members in name order (HDF5 files written by h5py track no creation order).
  public func memberNames() throws(HDF5Error) -> [String] {
    _ = HDF5File.silenced
    var info = H5G_info_t()
    guard H5Gget_info(id, &info) >= 0 else { throw HDF5Error(path: path, reason: "cannot list the group") }
    var names: [String] = []
    for index in 0..<info.nlinks {
      let length = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, H5.defaultPlist)
      guard length >= 0, length < 1 << 16 else { throw HDF5Error(path: path, reason: "cannot read member \(index)'s name") }
      var buffer = [CChar](repeating: 0, count: length + 1)
      let got = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, length + 1, H5.defaultPlist)
      guard got == length else { throw HDF5Error(path: path, reason: "cannot read member \(index)'s name") }
      names.append(String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return names
  }

  /// Whether a relative path exists, checking each component so a missing parent is not an error.
  public func contains(_ relative: String) -> Bool {
    var prefix = ""
    for part in relative.split(separator: "/", omittingEmptySubsequences: true) {
      prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
      guard H5Lexists(id, prefix, H5.defaultPlist) > 0 else { return false }
      // A dangling soft link exists as a link but not as an object.
      guard H5Oexists_by_name(id, prefix, H5.defaultPlist) > 0 else { return false }
    }
    return !prefix.isEmpty
  }

  /// What the member at `relative` is, or nil when it does not exist.
  public func kind(of relative: String) -> HDF5ObjectKind? {
    _ = HDF5File.silenced
    guard contains(relative) else { return nil }
    let object = H5Oopen(id, relative, H5.defaultPlist)
    guard object >= 0 else { return nil }
    defer { H5Oclose(object) }
    switch H5Iget_type(object) {
    case H5I_GROUP: return .group
    case H5I_DATASET: return .dataset
    default: return .other
    }
  }

  public func group(_ relative: String) throws(HDF5Error) -> HDF5Group {
    let full = h5Join(path, relative)
    guard kind(of: relative) == .group else { throw HDF5Error(path: full, reason: "group not found") }
    let gid = H5Gopen2(id, relative, H5.defaultPlist)
    guard gid >= 0 else { throw HDF5Error(path: full, reason: "cannot open the group") }
    return HDF5Group(id: gid, path: full, file: file)
  }

  public func dataset(_ relative: String) throws(HDF5Error) -> HDF5Dataset {
    let full = h5Join(path, relative)
    guard kind(of: relative) == .dataset else { throw HDF5Error(path: full, reason: "dataset not found") }
    let did = H5Dopen2(id, relative, H5.defaultPlist)
    guard did >= 0 else { throw HDF5Error(path: full, reason: "cannot open the dataset") }
    return HDF5Dataset(id: did, path: full, file: file)
  }

  /// Creates a child group (and any missing parents).
  public func createGroup(_ relative: String) throws(HDF5Error) -> HDF5Group {
    let full = h5Join(path, relative)
    let lcpl = H5Pcreate(chdf5_p_link_create())
    defer { if lcpl >= 0 { H5Pclose(lcpl) } }
    guard lcpl >= 0, H5Pset_create_intermediate_group(lcpl, 1) >= 0 else {
      throw HDF5Error(path: full, reason: "cannot set up group creation")
    }
    let gid = H5Gcreate2(id, relative, lcpl, H5.defaultPlist, H5.defaultPlist)
    guard gid >= 0 else { throw HDF5Error(path: full, reason: "cannot create the group") }
    return HDF5Group(id: gid, path: full, file: file)
  }

  /// Copies the object `name` (with everything under it and its attributes) from `source` into this
  /// group, under `newName` when given.
  public func copy(_ name: String, from source: HDF5Group, as newName: String? = nil) throws(HDF5Error) {
    guard H5Ocopy(source.id, name, id, newName ?? name, H5.defaultPlist, H5.defaultPlist) >= 0 else {
      throw HDF5Error(path: h5Join(source.path, name), reason: "cannot copy the object")
    }
  }
}
