// swift-tools-version: 6.0
import PackageDescription

// The numeric kernels run hundreds of times slower unoptimized; debug builds (and so `swift test`,
// the CLI tests and the interop stage) compile them with -O so tests exercise the real fast paths.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
  name: "QuantScope",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "qscope", targets: ["qscope"]),
    .executable(name: "qscope-bench", targets: ["qscope-bench"]),
    .library(name: "Workflows", targets: ["Workflows"]),
    .library(name: "QuantEngine", targets: ["QuantEngine"]),
    .library(name: "ModelFormats", targets: ["ModelFormats"]),
    .library(name: "TensorCore", targets: ["TensorCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
  ],
  targets: [
    // x86 F16C conversions, compiled for that feature and used only when the CPU has it.
    .target(name: "CHalfConvert", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
    .target(name: "TensorCore", dependencies: ["CHalfConvert"]),
    .target(name: "QuantEngine", dependencies: ["TensorCore"], swiftSettings: optimizedInDebug),
    .systemLibrary(
      name: "CHDF5", pkgConfig: "hdf5",
      providers: [.apt(["libhdf5-dev"])]),
    .target(
      name: "ModelFormats",
      dependencies: ["TensorCore", "CHDF5", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
    .target(
      name: "Evaluation",
      dependencies: ["TensorCore", "QuantEngine", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
      swiftSettings: optimizedInDebug),
    .target(name: "Workflows", dependencies: ["TensorCore", "QuantEngine", "ModelFormats", "Evaluation"]),
    .target(name: "TUIKit"),
    .systemLibrary(
      name: "CNcurses", pkgConfig: "ncursesw",
      providers: [.apt(["libncursesw5-dev"])]),
    .target(name: "CursesBackend", dependencies: ["TUIKit", "CNcurses"]),
    .target(name: "InspectorUI", dependencies: ["TUIKit", "Workflows", "QuantEngine", "ModelFormats", "TensorCore"]),
    .executableTarget(
      name: "qscope",
      dependencies: [
        "Workflows", "InspectorUI", "CursesBackend",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(
      name: "qscope-bench",
      dependencies: ["Workflows", "QuantEngine", "TensorCore", "ModelFormats", "InspectorUI", "TUIKit"]),
    // Helpers shared by the test targets (files built byte by byte for the real readers).
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
    .testTarget(
      name: "QuantEngineTests", dependencies: ["QuantEngine", "TensorCore"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "ModelFormatsTests", dependencies: ["ModelFormats", "TensorCore"],
      resources: [.copy("Fixtures")]),
    .testTarget(name: "WorkflowsTests", dependencies: ["Workflows", "ModelFormats", "QuantEngine", "TensorCore", "TestSupport"]),
    .testTarget(name: "TUIKitTests", dependencies: ["TUIKit"]),
    .testTarget(name: "InspectorUITests", dependencies: ["InspectorUI", "TUIKit", "Workflows", "TestSupport"]),
    // CLITests read their fixture files by path (the binary is what opens them), not as resources.
    .testTarget(name: "CLITests", dependencies: ["qscope"], exclude: ["Fixtures"]),
    .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TensorCore", "QuantEngine", "ModelFormats", "Workflows"]),
  ]
)
