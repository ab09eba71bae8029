import Foundation

/// The outcome of choosing a theme: never a failure, at worst the built-in default plus warnings.
public struct ThemeLoadResult: Sendable {
  public var theme: Theme
  public var warnings: [ThemeWarning]
  /// Where the theme came from: a file path, or `built-in`.
  public var origin: String
  /// A cap on colors, set to `.monochrome` when `NO_COLOR` is set.
  public var colorDepthLimit: ColorDepth?
}

/// Finds and loads themes by name or path.
///
/// Search order for `--theme NAME`:
/// 1. `NAME` as a path, when it contains `/` or ends in `.theme`;
/// 2. `$XDG_CONFIG_HOME/qscope/themes/NAME.theme` (or `~/.config/qscope/themes/NAME.theme`);
/// 3. each bundled themes folder: the first `Themes` folder found walking up from the
///    executable's directory (so `.build/debug/qscope` finds the repository's `Themes/`),
///    and `../share/qscope/themes` next to an installed binary;
/// 4. the compiled-in themes (`default`/`dark` and `monochrome`).
///
/// When `NO_COLOR` is set to a non-empty value, colors are capped at monochrome and, unless a
/// theme was named explicitly, the monochrome theme is used.
public struct ThemeLocator: Sendable {
  public var environment: [String: String]
  public var bundledDirectories: [String]

  /// Creates a locator with an explicit environment and bundled folders (for tests).
  public init(environment: [String: String], bundledDirectories: [String]) {
    self.environment = environment
    self.bundledDirectories = bundledDirectories
  }

  /// A locator for this process: its environment and the folders found from its executable.
  public static func current() -> ThemeLocator {
    ThemeLocator(
      environment: ProcessInfo.processInfo.environment,
      bundledDirectories: bundledDirectories(executablePath: executablePath()))
  }

  /// The largest theme file read; anything bigger is not a theme.
  static let maxFileBytes = 256 * 1024

  /// The user's theme folder.
  public var userDirectory: String? {
    if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/qscope/themes" }
    if let home = environment["HOME"], !home.isEmpty { return home + "/.config/qscope/themes" }
    return nil
  }

  var noColor: Bool { !(environment["NO_COLOR"] ?? "").isEmpty }

  /// Loads the theme named (or at the path) `requested`; `nil` means the default.
  public func load(_ requested: String?) -> ThemeLoadResult {
    let limit: ColorDepth? = noColor ? .monochrome : nil
    let name = requested ?? (noColor ? "monochrome" : "default")
    var warnings: [ThemeWarning] = []
    if name.contains("/") || name.hasSuffix(".theme") {
      if let loaded = loadFile(name, name: themeName(fromPath: name), warnings: &warnings) {
        return ThemeLoadResult(theme: loaded, warnings: warnings, origin: name, colorDepthLimit: limit)
      }
      warnings.append(ThemeWarning(source: name, message: "theme file not found or unreadable; using the built-in default"))
      return ThemeLoadResult(theme: .builtinDefault, warnings: warnings, origin: "built-in", colorDepthLimit: limit)
    }
    for directory in searchDirectories {
      let path = directory + "/" + name + ".theme"
      if let loaded = loadFile(path, name: name, warnings: &warnings) {
        return ThemeLoadResult(theme: loaded, warnings: warnings, origin: path, colorDepthLimit: limit)
      }
    }
    switch name {
    case "default", "dark":
      return ThemeLoadResult(theme: .builtinDefault, warnings: warnings, origin: "built-in", colorDepthLimit: limit)
    case "monochrome":
      return ThemeLoadResult(theme: .monochrome, warnings: warnings, origin: "built-in", colorDepthLimit: limit)
    default:
      let searched = searchDirectories.isEmpty ? "no theme folders" : searchDirectories.joined(separator: ", ")
      warnings.append(ThemeWarning(source: name, message: "theme not found (searched \(searched)); using the built-in default"))
      return ThemeLoadResult(theme: .builtinDefault, warnings: warnings, origin: "built-in", colorDepthLimit: limit)
    }
  }

  /// The folders searched by name, in order.
  public var searchDirectories: [String] {
    (userDirectory.map { [$0] } ?? []) + bundledDirectories
  }

  /// The names of all themes that can be chosen, user themes first, without duplicates.
  public func availableThemes() -> [String] {
    var names: [String] = []
    for directory in searchDirectories {
      let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
      for file in files.sorted() where file.hasSuffix(".theme") {
        let name = String(file.dropLast(".theme".count))
        if !names.contains(name) { names.append(name) }
      }
    }
    for builtin in ["default", "monochrome"] where !names.contains(builtin) { names.append(builtin) }
    return names
  }

  func loadFile(_ path: String, name: String, warnings: inout [ThemeWarning]) -> Theme? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      (attributes[.type] as? FileAttributeType) != .typeDirectory
    else { return nil }
    if let size = attributes[.size] as? NSNumber, size.intValue > ThemeLocator.maxFileBytes {
      warnings.append(ThemeWarning(source: path, message: "file is larger than \(ThemeLocator.maxFileBytes) bytes; not a theme"))
      return nil
    }
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    let (theme, fileWarnings) = ThemeLoader.parse(String(decoding: data, as: UTF8.self), name: name, source: path)
    warnings += fileWarnings
    return theme
  }

  func themeName(fromPath path: String) -> String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    return file.hasSuffix(".theme") ? String(file.dropLast(".theme".count)) : file
  }

  /// The bundled theme folders for an executable at `executablePath`: the nearest `Themes`
  /// folder walking up from its directory, then `../share/qscope/themes`.
  public static func bundledDirectories(executablePath: String?) -> [String] {
    guard let executablePath else { return [] }
    var result: [String] = []
    let start = URL(fileURLWithPath: executablePath).deletingLastPathComponent().standardizedFileURL
    var directory = start
    while true {
      let candidate = directory.appendingPathComponent("Themes").path
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
        result.append(candidate)
        break
      }
      let parent = directory.deletingLastPathComponent()
      if parent.path == directory.path { break }
      directory = parent
    }
    let shared = start.deletingLastPathComponent().appendingPathComponent("share/qscope/themes").path
    if FileManager.default.fileExists(atPath: shared), !result.contains(shared) { result.append(shared) }
    return result
  }

  static func executablePath() -> String? {
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return resolved
    }
    return Bundle.main.executablePath ?? CommandLine.arguments.first
  }
}
