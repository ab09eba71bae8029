import Dispatch
import Evaluation
import Foundation
import QuantEngine
import TensorCore
import Workflows

/// `qscope-bench eval [ROOT]`: live-accuracy latency on the digits CNN (one tensor's scheme change
/// → updated accuracy) and a full float evaluation of MobileNetV2-0.35 96×96 on 100 inputs.
enum EvalBenchmark {
  static func run(_ arguments: [String]) -> Int32 {
    let root = arguments.first ?? FileManager.default.currentDirectoryPath
    do {
      try digits(root + "/SampleModels/digits-cnn.tflite")
      try mobilenet(root + "/Tests/Interop/fixtures/mobilenetv2-035-96")
      return 0
    } catch {
      print("eval benchmark failed: \(error)")
      return 1
    }
  }

  static func milliseconds(_ start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
  }

  static func digits(_ path: String) throws {
    let openStart = DispatchTime.now()
    let session = try EvaluationSession.open(path: path, dataPath: nil)
    print(String(format: "digits-cnn: open + float baseline on %d samples: %.1f ms", session.data.samples, milliseconds(openStart)))
    let weights = session.model.tensors.indices.filter { session.model.tensors[$0].isQuantizable }
    report(updateTimes(session, weights: weights), label: "scheme change → updated accuracy")
    // The TUI's KL sensitivity column runs isolated-KL jobs on the same session, one at a time on
    // a background queue, while the user keeps changing schemes: measure the update under that load.
    let stop = CancellationToken()
    let stopped = DispatchSemaphore(value: 0)
    let sensitivity = Thread {
      while !stop.isCancelled {
        for index in weights where !stop.isCancelled {
          _ = try? session.isolatedKL(tensorIndex: index, scheme: .int4, token: stop)
        }
      }
      stopped.signal()
    }
    sensitivity.start()
    report(updateTimes(session, weights: weights), label: "the same while KL sensitivity jobs run")
    stop.cancel()
    stopped.wait()
  }

  static func updateTimes(_ session: EvaluationSession, weights: [Int]) -> [(String, Double)] {
    var times: [(String, Double)] = []
    for index in weights {
      for scheme in [Scheme.int4, .int8] {
        let start = DispatchTime.now()
        let done = DispatchSemaphore(value: 0)
        session.update(tensorIndex: index, scheme: scheme) { _ in done.signal() }
        done.wait()
        times.append(("\(session.model.tensors[index].name) → \(scheme.rawValue)", milliseconds(start)))
      }
    }
    return times
  }

  static func report(_ times: [(String, Double)], label: String) {
    let sorted = times.map(\.1).sorted()
    let worst = times.max { $0.1 < $1.1 }
    print(String(format: "digits-cnn: %@: median %.1f ms, max %.1f ms (%d changes; slowest: %@)",
                 label, sorted[sorted.count / 2], sorted.last ?? 0, sorted.count, worst?.0 ?? "-"))
  }

  static func mobilenet(_ folder: String) throws {
    let model = folder + "/float.tflite"
    guard FileManager.default.fileExists(atPath: model) else {
      print("mobilenetv2-035-96: fixture not found at \(folder); skipped")
      return
    }
    let (opened, _) = try ModelOpener.open(path: model)
    guard let graph = opened.graph else { print("mobilenet: no graph"); return }
    let inputShape = graph.tensors[graph.inputs[0].tensor].shape
    let perSample = inputShape.dropFirst().reduce(1, *)
    var data: [Float]
    if FileManager.default.fileExists(atPath: folder + "/inputs.npy") {
      data = try NumPyArchive.load(path: folder + "/inputs.npy").arrays["x"]?.floats ?? []
    } else {
      data = (0..<perSample).map { Float($0 % 255) / 255 }
    }
    guard !data.isEmpty else { return }
    while data.count < perSample * 100 { data += data }
    let inputs = EvalTensor(shape: [100] + inputShape.dropFirst(), data: Array(data.prefix(perSample * 100)))
    let interpreter = Interpreter(graph: graph)
    var values = try interpreter.initialValues(inputs: [inputs]) { (index) throws(EvaluationError) in
      do { return try TensorValues.decode(opened.tensors[index], file: model) } catch {
        throw .badData(file: model, reason: "\(error)")
      }
    }
    let start = DispatchTime.now()
    try interpreter.run(ops: Array(graph.ops.indices), values: &values, release: true)
    print(String(format: "mobilenetv2-035-96: full float evaluation of 100 inputs: %.0f ms", milliseconds(start)))
  }
}
