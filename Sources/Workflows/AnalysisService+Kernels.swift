import QuantEngine
import TensorCore

extension AnalysisService {
  static func analyse(_ values: UnsafeBufferPointer<Float>, tensor: ModelTensor, bins: Int) -> TensorAnalysis {
    let stats = Metrics.stats(values)
    let range: ClosedRange<Float>? = stats.min.isFinite && stats.max.isFinite && stats.min < stats.max ? stats.min...stats.max : nil
    let histogram = Metrics.histogram(values, bins: bins, range: range)
    var energy = 0.0
    for v in values where v.isFinite { energy += Double(v) * Double(v) }
    return TensorAnalysis(
      stats: stats, histogram: histogram, channelRanges: channelRanges(values, tensor: tensor), signalEnergy: energy)
  }

  /// Per-output-channel min/max along the tensor's channel axis, merged down to `maxChannels`.
  static func channelRanges(_ values: UnsafeBufferPointer<Float>, tensor: ModelTensor) -> [TensorAnalysis.ChannelRange] {
    let shape = tensor.shape
    guard shape.count >= 2, tensor.channelAxis >= 0, tensor.channelAxis < shape.count,
      let count = Shape.elementCount(shape), count == values.count, count > 0
    else { return [] }
    let channels = shape[tensor.channelAxis]
    guard channels > 0 else { return [] }
    let stride = Shape.strides(shape)[tensor.channelAxis]
    let slots = min(channels, maxChannels)
    var lows = [Float](repeating: .infinity, count: slots)
    var highs = [Float](repeating: -.infinity, count: slots)
    for i in 0..<count {
      let v = values[i]
      guard v.isFinite else { continue }
      let slot = ((i / stride) % channels) * slots / channels
      if v < lows[slot] { lows[slot] = v }
      if v > highs[slot] { highs[slot] = v }
    }
    return (0..<slots).map { s in
      lows[s] <= highs[s] ? .init(min: lows[s], max: highs[s]) : .init(min: 0, max: 0)
    }
  }

  static func measure(
    _ values: UnsafeBufferPointer<Float>, tensor: ModelTensor, scheme: Scheme, bins: Int, keepLimit: Int
  ) -> Result<SchemeOutcome, AnalysisFailure> {
    var energy = 0.0
    for v in values where v.isFinite { energy += Double(v) * Double(v) }
    do throws(QuantError) {
      if values.count > keepLimit {
        let metrics = try SchemeAnalysis.evaluate(values, shape: tensor.shape, scheme: scheme, channelAxis: tensor.channelAxis)
        return .success(SchemeOutcome(
          scheme: scheme, metrics: metrics, errorHistogram: nil, signalEnergy: energy,
          noiseEnergy: metrics.mse * Double(values.count)))
      }
      let kept = try SchemeAnalysis.evaluateKeeping(values, shape: tensor.shape, scheme: scheme, channelAxis: tensor.channelAxis)
      var errors = [Float](repeating: 0, count: values.count)
      for i in 0..<min(values.count, kept.reconstructed.count) { errors[i] = values[i] - kept.reconstructed[i] }
      let histogram = errors.withUnsafeBufferPointer { Metrics.histogram($0, bins: bins) }
      return .success(SchemeOutcome(
        scheme: scheme, metrics: kept.metrics, errorHistogram: histogram, signalEnergy: energy,
        noiseEnergy: kept.metrics.mse * Double(values.count)))
    } catch {
      return .failure(.failed(error.description))
    }
  }
}
