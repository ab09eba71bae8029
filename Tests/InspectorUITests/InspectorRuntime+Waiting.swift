import Foundation
import InspectorUI
import Workflows

extension InspectorRuntime {
  /// Drains the runtime's posted actions until `match` returns a value for one (at most 30 s);
  /// the other actions are dropped.
  func wait<T>(for match: (Action) throws -> T?) rethrows -> T? {
    for _ in 0..<600 {
      for action in drain() { if let value = try match(action) { return value } }
      Thread.sleep(forTimeInterval: 0.05)
    }
    return nil
  }

  /// The next sensitivity table the runtime posts.
  func waitForSensitivity() throws -> SensitivityTable? {
    try wait { action in
      if case .sensitivityReady(let result) = action { return try result.get() }
      return nil
    }
  }

  /// The error of the next finished save (nil inside: it succeeded); nil when none finished.
  func waitForSave() -> String?? {
    wait { action in
      if case .saveFinished(_, let error, _) = action { return .some(error) }
      return nil
    }
  }
}
