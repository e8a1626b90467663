import Configuration
import Foundation
import SystemPackage

/// One service's configuration: flags over environment over the config file over defaults.
///
/// The layers are swift-configuration providers: an in-memory provider for `--set key=value`
/// flags, an environment provider over the `VOLTA_*` variables (prefix removed, so
/// `VOLTA_BUS_ENDPOINT` is `bus.endpoint`), and a JSON file provider. Values are parsed and
/// checked by the ``Setting`` that declares them, so an error can name the key and its origin.
///
/// One file can hold the whole stack: a service checks the common sections and its own, and
/// leaves other services' sections to them. An unknown key in those sections is an error:
/// a typo must not silently fall back to a default.
public struct ConfigurationLayers: Sendable {
    private let overrides: InMemoryProvider
    private let overrideKeys: [String]
    private let environment: EnvironmentVariablesProvider
    private let file: FileProvider<JSONSnapshot>?
    private let fileKeys: [String]
    public let filePath: String?
    /// Operators' edits (the dashboard's strategy parameters): above every other layer, as the
    /// latest word on a key, each with where it came from ("operator alice at …").
    private var edits: [String: (value: String, origin: String)] = [:]

    /// - Parameters:
    ///   - file: a JSON config file, or nil.
    ///   - environment: the process environment; only `VOLTA_*` variables are read.
    ///   - overrides: `key=value` pairs from the command line; they win over everything.
    public init(file: String?, environment: [String: String], overrides: [String]) async throws {
        var flagValues: [AbsoluteConfigKey: ConfigValue] = [:]
        var keys: [String] = []
        for pair in overrides {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw ConfigurationError(key: pair, value: "", origin: "flag --set", accepted: "key=value")
            }
            let key = String(pair[..<eq])
            keys.append(key)
            flagValues[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] =
                ConfigValue(.string(String(pair[pair.index(after: eq)...])), isSecret: false)
        }
        self.overrides = InMemoryProvider(name: "flags", values: flagValues)
        overrideKeys = keys

        var env: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix("VOLTA_") {
            env[String(name.dropFirst("VOLTA_".count))] = value
        }
        // The architecture's one-setting placement of a process on the bus.
        if let bus = environment["VOLTA_BUS"], env["BUS_ENDPOINT"] == nil { env["BUS_ENDPOINT"] = bus }
        self.environment = EnvironmentVariablesProvider(environmentVariables: env, secretsSpecifier: .dynamic { key, _ in
            key.contains("TOKEN") || key.contains("SECRET") || key.contains("PASSWORD")
        })

        filePath = file
        if let file {
            guard FileManager.default.fileExists(atPath: file) else {
                throw ConfigurationError(key: "config", value: file, origin: "flag --config", accepted: "a readable JSON file")
            }
            do {
                self.file = try await FileProvider<JSONSnapshot>(filePath: FilePath(file))
                fileKeys = try Self.flattenedKeys(ofJSONFile: file)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError(key: "config", value: file, origin: "flag --config", accepted: "a JSON object (\(error))")
            }
        } else {
            self.file = nil
            fileKeys = []
        }
    }

    /// The value of `setting`, from the highest layer that has it, or its default.
    /// - Throws: ``ConfigurationError`` when the value there does not parse or is out of range.
    public func value<V>(_ setting: Setting<V>) throws -> V {
        guard let (raw, origin) = try raw(setting) else { return setting.defaultValue }
        guard let value = setting.parse(raw) else {
            throw ConfigurationError(key: setting.key, value: setting.isSecret ? "<secret>" : raw, origin: origin, accepted: setting.accepted)
        }
        return value
    }

    /// Checks every declared setting, and that the flags and the file name no unknown key in the
    /// sections this service owns (`sections`: the common ones and the service's own).
    public func validate(_ settings: [any AnySetting], sections: Set<String>) throws {
        for setting in settings {
            if let (raw, origin) = try raw(setting), !setting.validate(raw) {
                throw ConfigurationError(key: setting.key, value: setting.isSecret ? "<secret>" : raw, origin: origin, accepted: setting.accepted)
            }
        }
        let known = Set(settings.map(\.key))
        let suggestion = "a known key: " + settings.map(\.key).sorted().joined(separator: ", ")
        for key in overrideKeys where !known.contains(key) {
            throw ConfigurationError(key: key, value: "", origin: "flag --set", accepted: suggestion)
        }
        for key in fileKeys where !known.contains(key) {
            let section = String(key.prefix { $0 != "." })
            if sections.contains(section) {
                throw ConfigurationError(key: key, value: "", origin: "file \(filePath ?? "")", accepted: suggestion)
            }
        }
    }

    /// Every setting's value as configured (or its default), for the status a service publishes:
    /// the dashboard shows what each process really runs with. A secret shows only whether it is set.
    public func effective(_ settings: [any AnySetting]) -> [String: String] {
        var out: [String: String] = [:]
        for setting in settings { out[setting.key] = shown(setting).value }
        return out
    }

    /// A setting's value as shown to an operator, and which layer gave it ("default" for none).
    public func shown(_ setting: some AnySetting) -> (value: String, origin: String) {
        let found = try? raw(setting)
        let value = setting.isSecret ? (found?.0.isEmpty == false ? "(set)" : "(not set)") : found?.0 ?? setting.defaultDescription
        return (value, found?.1 ?? "default")
    }

    /// These layers with an operator's value for `key` on top (nil: the edit removed, so the
    /// configured value holds again). The caller validates the value through the setting.
    public func editing(_ key: String, to value: String?, origin: String) -> ConfigurationLayers {
        var copy = self
        copy.edits[key] = value.map { ($0, origin) }
        return copy
    }

    private func raw(_ setting: some AnySetting) throws -> (String, String)? {
        if let edit = edits[setting.key] { return (edit.value, edit.origin) }
        let key = AbsoluteConfigKey(setting.key.split(separator: ".").map(String.init))
        if let v = try lookup(overrides, key) { return (v, "flag --set \(setting.key)") }
        if let v = try lookup(environment, key) { return (v, "environment \(setting.environmentName)") }
        if let file, let v = try lookup(file, key) { return (v, "file \(filePath ?? "")") }
        return nil
    }

    /// A provider's value as text, whatever type it stores it as.
    private func lookup(_ provider: some ConfigProvider, _ key: AbsoluteConfigKey) throws -> String? {
        for type in [ConfigType.string, .int, .double, .bool, .stringArray] {
            guard let result = try? provider.value(forKey: key, type: type) else { continue }
            guard let value = result.value else { return nil }
            switch value.content {
            case let .string(s): return s
            case let .int(i): return String(i)
            case let .double(d): return String(d)
            case let .bool(b): return String(b)
            case let .stringArray(a): return a.joined(separator: ",")
            default: return "\(value.content)"
            }
        }
        return nil
    }

    /// Every leaf key of a JSON object, dotted: `{"bus":{"endpoint":…}}` → `bus.endpoint`.
    static func flattenedKeys(ofJSONFile path: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError(key: "config", value: path, origin: "flag --config", accepted: "a JSON object at the top level")
        }
        var keys: [String] = []
        func walk(_ value: Any, _ prefix: String) {
            if let dict = value as? [String: Any] {
                for (k, v) in dict { walk(v, prefix.isEmpty ? k : "\(prefix).\(k)") }
            } else {
                keys.append(prefix)
            }
        }
        walk(object, "")
        return keys.sorted()
    }
}
