import Foundation
import QuantEngine
import Workflows

/// The numbers of the summary bar.
///
/// - planned bytes: the input file's size minus each changed tensor's bytes plus its stored size;
/// - bits per weight: 8 · stored bytes / elements over the changed tensors;
/// - SQNR: 10·log10(ΣΣx² / ΣΣ(x − x̂)²) over all changed tensors, i.e. the SQNR of the changed
///   weights taken as one signal (large tensors weigh by their energy, not by their count).
public struct PlanSummary: Equatable, Sendable {
  public var originalBytes: Int
  public var plannedBytes: Int
  public var changed: Int
  /// Changed tensors whose error is still being computed.
  public var pending: Int
  /// Tensors whose planned scheme the format cannot store (kept unchanged).
  public var refused: Int
  public var bitsPerWeight: Double?
  public var sqnrDB: Double?

  public var ratio: Double { plannedBytes > 0 ? Double(originalBytes) / Double(plannedBytes) : 1 }

  public init(state: AppState) {
    originalBytes = state.model.fileBytes
    // Converting (keras → tflite) starts from the converted model's float size.
    var planned = state.outputBaseBytes
    var changed = 0, pending = 0, refused = 0
    var storedTotal = 0, elements = 0
    var signal = 0.0, noise = 0.0, measured = 0
    for (tensor, scheme) in state.planned.enumerated() {
      guard let scheme else { continue }
      let row = state.model.rows[tensor]
      guard state.plannedRefusal(tensor) == nil, let stored = row.storedBytes[scheme] else { refused += 1; continue }
      changed += 1
      planned += stored - row.bytes
      storedTotal += stored
      elements += row.elements
      switch state.outcomes[OutcomeKey(tensor, scheme)] {
      case .ready(let outcome)?:
        signal += outcome.signalEnergy
        noise += outcome.noiseEnergy
        measured += 1
      case .failed?: break
      default: pending += 1
      }
    }
    plannedBytes = planned
    self.changed = changed
    self.pending = pending
    self.refused = refused
    bitsPerWeight = elements > 0 ? 8 * Double(storedTotal) / Double(elements) : nil
    if measured > 0 && pending == 0 {
      sqnrDB = noise > 0 ? 10 * log10(signal / noise) : .infinity
    } else {
      sqnrDB = nil
    }
  }
}
