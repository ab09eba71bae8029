import Foundation
import Synchronization
import TensorCore

/// A one-line progress bar on stderr, shown only when stderr is a terminal.
final class ProgressBar: Sendable {
  private let label: String
  private let lastDrawn = Mutex<Double>(-1)

  private init(label: String) { self.label = label }

  static func forStandardError(label: String) -> ProgressBar? {
    isatty(STDERR_FILENO) == 1 ? ProgressBar(label: label) : nil
  }

  var update: @Sendable (ProgressUpdate) -> Void { { [self] progress in draw(progress) } }

  func draw(_ progress: ProgressUpdate) {
    let fraction = progress.fraction
    let shouldDraw = lastDrawn.withLock { last -> Bool in
      guard fraction - last >= 0.01 || fraction >= 1 else { return false }
      last = fraction
      return true
    }
    guard shouldDraw else { return }
    let width = 30
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    let item = progress.item.count > 40 ? "…" + progress.item.suffix(39) : progress.item
    FileHandle.standardError.write(Data("\r\u{1B}[2K\(label) \(bar) \(progress.completed)/\(progress.total) \(item)".utf8))
  }

  func finish() {
    FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
  }
}
