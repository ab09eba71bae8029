import Testing
@testable import ModelFormats

/// The probe child that shields the tool from libhdf5 crashes and hangs, with stand-in commands
/// (the real crash is exercised through the built binary in CLITests).
@Suite struct HDF5IsolationTests {
  @Test func outcomes() {
    #expect(HDF5Isolation.run(["/bin/true"], timeout: 10) == .finished)
    #expect(HDF5Isolation.run(["/bin/false"], timeout: 10) == .finished)
    #expect(HDF5Isolation.run(["/bin/sh", "-c", "kill -SEGV $$"], timeout: 10) == .crashed(signal: 11))
    #expect(HDF5Isolation.run(["/bin/sleep", "30"], timeout: 0.2) == .timedOut(seconds: 0.2))
    if case .couldNotRun = HDF5Isolation.run(["/nonexistent/qscope"], timeout: 1) {} else {
      Issue.record("a missing executable must not count as a finished probe")
    }
  }

  @Test func crashAndHangBecomeErrorsNamingTheFile() {
    do {
      try HDF5Isolation.check("/m/model.h5", arguments: ["/bin/sh", "-c", "kill -SEGV $$"], timeout: 10)
      Issue.record("a crashed probe was accepted")
    } catch {
      #expect(error.description.contains("/m/model.h5"))
      #expect(error.description.contains("libhdf5 crashed reading it (signal 11)"))
    }
    do {
      try HDF5Isolation.check("/m/model.h5", arguments: ["/bin/sleep", "30"], timeout: 0.2)
      Issue.record("a hung probe was accepted")
    } catch {
      #expect(error.description.contains("did not finish reading it"))
    }
  }

  @Test func ordinaryFailuresAndUnrunnableProbesLeaveTheRealOpenToReport() throws {
    try HDF5Isolation.check("/m/model.h5", arguments: ["/bin/false"], timeout: 10)
    try HDF5Isolation.check("/m/model.h5", arguments: ["/nonexistent/qscope"], timeout: 1)
  }
}
