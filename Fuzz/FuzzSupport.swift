// Shared by every fuzz target: compiled next to one target file by scripts/fuzz.
#if canImport(Glibc)
import Glibc
#endif

/// Where file-based targets put each input: tmpfs when available, one file per process.
let fuzzInputPath: String = {
  let folder = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
  return "\(folder)/qscope-fuzz-\(getpid())"
}()

/// Writes the input to ``fuzzInputPath`` (with `suffix`, so extension-based detection can be
/// exercised) and returns the path. Aborts on a host I/O failure: that is not a finding.
func writeFuzzInput(_ start: UnsafeRawPointer, _ count: Int, suffix: String) -> String {
  let path = fuzzInputPath + suffix
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  guard fd >= 0 else { abort() }
  var written = 0
  while written < count {
    let n = write(fd, start + written, count - written)
    if n <= 0 { abort() }
    written += n
  }
  close(fd)
  return path
}
