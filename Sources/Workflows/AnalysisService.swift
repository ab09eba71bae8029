import Foundation
import QuantEngine
import Synchronization
import TensorCore

/// Statistics of one tensor as the inspector's detail pane shows them.
public struct TensorAnalysis: Sendable, Equatable {
  public var stats: TensorStats
  /// Weight histogram over [stats.min, stats.max].
  public var histogram: Histogram
  /// Finite min/max of each output channel (merged into at most `maxChannels` entries).
  public var channelRanges: [ChannelRange]
  /// Σx² over finite values, in Double: the signal energy SQNR divides by.
  public var signalEnergy: Double

  public struct ChannelRange: Sendable, Equatable {
    public var min: Float
    public var max: Float
    public init(min: Float, max: Float) { self.min = min; self.max = max }
  }
}

/// A scheme's effect on one tensor: the engine's metrics plus what the detail pane draws.
public struct SchemeOutcome: Sendable, Equatable {
  public var scheme: Scheme
  public var metrics: ErrorMetrics
  /// Histogram of x − x̂, or nil when the tensor was too large to keep a reconstruction.
  public var errorHistogram: Histogram?
  /// Σx² and Σ(x − x̂)², so SQNR can be combined across tensors.
  public var signalEnergy: Double
  public var noiseEnergy: Double
}

/// Why an analysis produced no result.
public enum AnalysisFailure: Error, Sendable, Equatable, CustomStringConvertible {
  case cancelled
  case failed(String)

  public var description: String {
    switch self {
    case .cancelled: return "cancelled"
    case .failed(let reason): return reason
    }
  }
}

/// Computes and caches per-tensor statistics and per-(tensor, scheme) errors for an interactive
/// front end. Calls are synchronous and thread-safe: a front end runs them on its own background
/// queues, and repeated requests are answered from the cache.
///
/// Cancellation is checked before work starts and before a result is stored: a cancelled request
/// stores nothing. A kernel already running on a huge tensor finishes its pass (the engine's
/// kernels do not poll), so front ends must never wait for a result on their input thread.
public final class AnalysisService: Sendable {
  public let model: Model
  public let bins: Int
  /// Tensors above this many elements get no error histogram (it needs a full reconstruction).
  public let reconstructionLimit: Int
  /// The most channel ranges kept per tensor.
  public static let maxChannels = 512

  private struct SchemeKey: Hashable { let index: Int; let scheme: Scheme }
  private let statsCache = Mutex<[Int: Result<TensorAnalysis, AnalysisFailure>]>([:])
  private let schemeCache = Mutex<[SchemeKey: Result<SchemeOutcome, AnalysisFailure>]>([:])

  public init(model: Model, bins: Int = 96, reconstructionLimit: Int = 16_000_000) {
    self.model = model
    self.bins = max(1, bins)
    self.reconstructionLimit = reconstructionLimit
  }

  /// A finished statistics result, if one is cached.
  public func cachedStats(_ index: Int) -> Result<TensorAnalysis, AnalysisFailure>? {
    statsCache.withLock { $0[index] }
  }

  /// A finished scheme result, if one is cached.
  public func cachedOutcome(_ index: Int, _ scheme: Scheme) -> Result<SchemeOutcome, AnalysisFailure>? {
    schemeCache.withLock { $0[SchemeKey(index: index, scheme: scheme)] }
  }

  /// How many results are cached (statistics, scheme outcomes).
  public var cacheCounts: (stats: Int, outcomes: Int) {
    (statsCache.withLock { $0.count }, schemeCache.withLock { $0.count })
  }

  /// Statistics, histogram and channel ranges of tensor `index`.
  public func stats(_ index: Int, cancellation: CancellationToken? = nil) -> Result<TensorAnalysis, AnalysisFailure> {
    if let cached = cachedStats(index) { return cached }
    guard model.tensors.indices.contains(index) else { return .failure(.failed("no tensor #\(index)")) }
    if cancellation?.isCancelled == true { return .failure(.cancelled) }
    let tensor = model.tensors[index]
    let result: Result<TensorAnalysis, AnalysisFailure>
    do {
      result = .success(try TensorValues.withValues(of: tensor, file: model.path) { values throws(WorkflowError) in
        AnalysisService.analyse(values, tensor: tensor, bins: bins)
      })
    } catch {
      result = .failure(.failed(error.description))
    }
    tensor.location.file.releasePages(offset: tensor.location.offset, count: tensor.location.byteCount)
    if cancellation?.isCancelled == true { return .failure(.cancelled) }
    statsCache.withLock { $0[index] = result }
    return result
  }

  /// The error `scheme` causes on tensor `index`, with an error histogram.
  public func outcome(_ index: Int, _ scheme: Scheme, cancellation: CancellationToken? = nil) -> Result<SchemeOutcome, AnalysisFailure> {
    let key = SchemeKey(index: index, scheme: scheme)
    if let cached = schemeCache.withLock({ $0[key] }) { return cached }
    guard model.tensors.indices.contains(index) else { return .failure(.failed("no tensor #\(index)")) }
    if cancellation?.isCancelled == true { return .failure(.cancelled) }
    let tensor = model.tensors[index]
    let limit = reconstructionLimit
    let bins = self.bins
    let result: Result<SchemeOutcome, AnalysisFailure>
    do {
      result = try TensorValues.withValues(of: tensor, file: model.path) { values throws(WorkflowError) in
        AnalysisService.measure(values, tensor: tensor, scheme: scheme, bins: bins, keepLimit: limit)
      }
    } catch {
      result = .failure(.failed(error.description))
    }
    tensor.location.file.releasePages(offset: tensor.location.offset, count: tensor.location.byteCount)
    if cancellation?.isCancelled == true { return .failure(.cancelled) }
    schemeCache.withLock { $0[key] = result }
    return result
  }
}
