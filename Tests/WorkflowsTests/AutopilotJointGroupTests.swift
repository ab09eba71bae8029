import Foundation
import ModelFormats
import QuantEngine
import Testing
@testable import Workflows

/// The autopilot gives an LSTM's weights one scheme: the TFLite writer quantizes them only all
/// together, so a plan splitting them would report sizes and errors the written file does not have.
@Suite struct AutopilotJointGroupTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("ModelFormatsTests/Fixtures/tflite/lstm_stack.tflite").path

  @Test("lstm_stack: two groups of 8 weights; at every frontier point each group is all int8-tensor or all kept, and QuantizeJob agrees")
  func everyPointKeepsGroupsWhole() throws {
    let (model, format) = try ModelOpener.open(path: Self.fixture)
    let joint = AutoGrouping.jointNames(format, model: model)
    #expect(joint.map(\.count) == [8, 8])
    let table = try Sensitivity.dataFree(model, format: format, options: .init(schemes: [.int8Tensor, .int8]))
    let names = table.tensors.map(\.name)
    let groups = AutoGrouping.adding(joint: joint, to: [], names: names)
    #expect(groups.count == 2)
    let free = try AutoPlanner(table: table)
    let planner = try AutoPlanner(table: table, constraints: AutoConstraints(groups: groups))
    func split(_ planner: AutoPlanner, _ k: Int) -> Bool {
      let assignment = planner.assignment(atPoint: k)
      return joint.contains { group in Set(group.map { assignment[$0] ?? nil }).count > 1 }
    }
    #expect((0..<free.pointCount).contains { split(free, $0) }, "without the groups the solver splits an LSTM somewhere")
    #expect(planner.pointCount > 2)
    for k in 0..<planner.pointCount {
      #expect(!split(planner, k))
      let plan = Plan(tensors: planner.assignment(atPoint: k).compactMapValues { $0 })
      #expect(QuantizeJob(model: model, format: format, plan: plan).problems.isEmpty)
    }
  }

  @Test("a group with a tensor the solver may not change is not added; overlapping groups merge")
  func adding() {
    #expect(AutoGrouping.adding(joint: [["a", "b"], ["c", "x"]], to: [], names: ["a", "b", "c"]) == [["a", "b"]])
    #expect(AutoGrouping.adding(joint: [["a", "b"]], to: [["b", "c"]], names: ["a", "b", "c"]).map { Set($0) } == [["a", "b", "c"]])
  }
}
