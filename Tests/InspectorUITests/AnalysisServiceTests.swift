import Foundation
import InspectorUI
import QuantEngine
import TensorCore
import Testing
import TUIKit
import Workflows

@Suite struct AnalysisServiceTests {
  @Test("scheme metrics match the engine's inspect report and are cached")
  func matchesInspector() throws {
    let (model, _) = try TestModel.mlp()
    let service = AnalysisService(model: model)
    let outcome = try service.outcome(0, .int4).get()
    let report = Inspector.report(for: model.tensors[0], in: model, options: .init(scheme: .int4))
    #expect(outcome.metrics == report.quant?.metrics)
    #expect(outcome.errorHistogram?.counts.reduce(0, +) == 32 * 64)
    #expect(service.cacheCounts.outcomes == 1)
    _ = service.outcome(0, .int4)
    #expect(service.cacheCounts.outcomes == 1)
    let stats = try service.stats(0).get()
    #expect(stats.stats == report.stats)
    #expect(stats.channelRanges.count == 32)
    #expect(abs(10 * log10(stats.signalEnergy / outcome.noiseEnergy) - outcome.metrics.sqnrDB) < 1e-6)
  }

  @Test("a cancelled request returns cancelled and stores nothing")
  func cancellation() throws {
    let (model, _) = try TestModel.mlp()
    let service = AnalysisService(model: model)
    let token = CancellationToken()
    token.cancel()
    #expect(service.outcome(0, .int8, cancellation: token) == .failure(.cancelled))
    #expect(service.stats(0, cancellation: token) == .failure(.cancelled))
    #expect(service.cacheCounts.outcomes == 0 && service.cacheCounts.stats == 0)
    #expect(service.cachedOutcome(0, .int8) == nil)
  }

  @Test("an engine refusal is a failure with the reason, not a crash")
  func refusal() throws {
    let (model, _) = try TestModel.mlp()
    let service = AnalysisService(model: model)
    guard case .failure(.failed(let reason)) = service.outcome(1, .q4_k) else {
      Issue.record("q4_k on a 32-element bias should fail")
      return
    }
    #expect(!reason.isEmpty)
  }

  @Test("the runtime and main loop: keys in, results drained, frames drawn, q quits")
  func mainLoop() throws {
    let (model, format) = try TestModel.mlp()
    let screen = VirtualScreen(width: 100, height: 30)
    screen.pendingEvents = [.key(.char("j")), .key(.char("s"))]
    let runtime = InspectorRuntime(model: model, format: format, theme: .builtinDefault)
    var state = AppState(model: ModelSummary(model: model, format: format), size: screen.size)
    state = try InspectorApp.run(backend: screen, state: state, runtime: runtime, maxIterations: 3)
    // Let background jobs finish, then feed their results through the loop.
    var rounds = 0
    while (runtime.busy || state.outcomes.values.contains(.pending) || state.stats.values.contains(.pending)) && rounds < 200 {
      Thread.sleep(forTimeInterval: 0.01)
      state = try InspectorApp.run(backend: screen, state: state, runtime: runtime, maxIterations: 2)
      rounds += 1
    }
    let scheme = try #require(state.planned[0])
    #expect(state.outcomes[OutcomeKey(0, scheme)]?.value != nil)
    #expect(screen.lines[28].contains("changed 1/4"))
    #expect(!screen.lines[28].contains("computing"))
    screen.pendingEvents = [.key(.char("q")), .key(.char("y"))]
    let final = try InspectorApp.run(backend: screen, state: state, runtime: runtime, maxIterations: 10)
    #expect(final.quitting)
    #expect(FileManager.default.fileExists(atPath: final.recoveryPath))
    let recovered = try Plan.load(path: final.recoveryPath)
    #expect(recovered == final.plan)
  }
}
