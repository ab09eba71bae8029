import TUIKit

/// Parses the input as a theme file (any bytes, decoded as UTF-8 with repairs, as the loader does).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTheme(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
  _ = ThemeLoader.parse(text, name: "fuzz", source: "fuzz.theme")
  return 0
}
