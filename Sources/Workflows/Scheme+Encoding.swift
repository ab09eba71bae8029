import QuantEngine
import TensorCore

extension Scheme {
  /// The scheme (and channel axis) that produces `encoding`, so a writer's request can be served by
  /// the engine. Nil for encodings no scheme produces.
  public static func matching(_ encoding: QuantEncoding) -> (scheme: Scheme, channelAxis: Int)? {
    for scheme in Scheme.allCases {
      switch encoding {
      case let .linear(linear):
        if case let .channel(axis) = linear.granularity, scheme.encoding(channelAxis: axis) == encoding {
          return (scheme, axis)
        }
        if scheme.encoding(channelAxis: 0) == encoding { return (scheme, 0) }
      default:
        if scheme.encoding(channelAxis: 0) == encoding { return (scheme, 0) }
      }
    }
    return nil
  }
}
