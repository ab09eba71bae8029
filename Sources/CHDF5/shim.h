#ifndef CHDF5_SHIM_H
#define CHDF5_SHIM_H

#include <hdf5.h>
#include <stddef.h>

// HDF5 spells most of its constants as macros that call H5open() and read a global, which Swift
// cannot import (and Swift 6 refuses the bare globals as unsafe shared state). These getters give
// Swift the same values; each one makes sure the library is initialised first.

static inline hid_t chdf5_p_default(void) { return (hid_t)H5P_DEFAULT; }
static inline hid_t chdf5_s_all(void) { return (hid_t)H5S_ALL; }
static inline hid_t chdf5_p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t chdf5_t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t chdf5_t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t chdf5_t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_t_c_s1(void) { return H5T_C_S1; }
static inline hid_t chdf5_t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_t_std_i8le(void) { return H5T_STD_I8LE; }
static inline unsigned chdf5_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline size_t chdf5_t_variable(void) { return H5T_VARIABLE; }
static inline haddr_t chdf5_haddr_undef(void) { return HADDR_UNDEF; }

/// Stops HDF5 from printing its error stack to stderr; callers turn failures into their own messages.
static inline void chdf5_silence_errors(void) {
  H5open();
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

// File-image callbacks that never copy: every "allocation" hands back the caller's buffer and every
// copy is a no-op, so a read-only HDF5 image inside a memory-mapped archive is used in place. The
// caller keeps the buffer alive and unchanged for as long as the file is open.
static inline void *chdf5_image_malloc(size_t size, H5FD_file_image_op_t op, void *udata) {
  (void)size; (void)op;
  return udata;
}
static inline void *chdf5_image_memcpy(void *dest, const void *src, size_t size, H5FD_file_image_op_t op, void *udata) {
  (void)src; (void)size; (void)op; (void)udata;
  return dest;
}
static inline void *chdf5_image_realloc(void *ptr, size_t size, H5FD_file_image_op_t op, void *udata) {
  (void)ptr; (void)size; (void)op; (void)udata;
  return NULL;
}
static inline herr_t chdf5_image_free(void *ptr, H5FD_file_image_op_t op, void *udata) {
  (void)ptr; (void)op; (void)udata;
  return 0;
}
static inline void *chdf5_udata_copy(void *udata) { return udata; }
static inline herr_t chdf5_udata_free(void *udata) { (void)udata; return 0; }

/// Opens a read-only HDF5 file whose bytes are `buffer[0..<length]`, without copying them.
/// `name` must be unique among open images: HDF5 treats core-driver files with equal names as the
/// same open file. Returns a negative id on failure.
static inline hid_t chdf5_open_image_in_place(const void *buffer, size_t length, const char *name) {
  if (buffer == NULL || length == 0) return -1;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return -1;
  H5FD_file_image_callbacks_t callbacks = {
    chdf5_image_malloc, chdf5_image_memcpy, chdf5_image_realloc, chdf5_image_free,
    chdf5_udata_copy, chdf5_udata_free, (void *)buffer
  };
  hid_t file = -1;
  if (H5Pset_fapl_core(fapl, 65536, 0) >= 0
      && H5Pset_file_image_callbacks(fapl, &callbacks) >= 0
      && H5Pset_file_image(fapl, (void *)buffer, length) >= 0) {
    file = H5Fopen(name, H5F_ACC_RDONLY, fapl);
  }
  H5Pclose(fapl);
  return file;
}

/// Creates an empty HDF5 file that lives only in memory (read it out with H5Fget_file_image).
static inline hid_t chdf5_create_in_memory(const char *name) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return -1;
  hid_t file = -1;
  if (H5Pset_fapl_core(fapl, 1 << 20, 0) >= 0) {
    file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  }
  H5Pclose(fapl);
  return file;
}

#endif
