import Foundation
import Workflows

/// Decodes the input as a plan file and, when valid, round-trips it through its encoding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlan(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let data = Data(bytes: start, count: count)
  guard let plan = try? Plan.decode(data, file: "fuzz.json") else { return 0 }
  // A plan we accept must read back as itself; anything else is a finding.
  guard let again = try? Plan.decode(Data(plan.encoded().utf8), file: "fuzz.json"), again == plan else { abort() }
  return 0
}
