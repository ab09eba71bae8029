import Foundation

/// Minimal `--flag value` parsing shared by the modes.
struct BenchOptions {
  private(set) var values: [String: String] = [:]
  private(set) var positional: [String] = []
  private(set) var error: String?

  init(_ arguments: [String], flags: Set<String>) {
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      if argument.hasPrefix("--") {
        let name = String(argument.dropFirst(2))
        guard flags.contains(name) else { error = "unknown option \(argument)"; return }
        guard index + 1 < arguments.count else { error = "\(argument) needs a value"; return }
        values[name] = arguments[index + 1]
        index += 2
      } else {
        positional.append(argument)
        index += 1
      }
    }
  }

  func int(_ name: String) -> Int? { values[name].flatMap { Int($0) } }
}

func fail(_ message: String) -> Int32 {
  FileHandle.standardError.write(Data("qscope-bench: \(message)\n".utf8))
  return 1
}
