import Foundation
import Messages
import ServiceKit
import StrategyKit
import Synchronization

/// The enabled plug-ins' parameters as an operator may change them while the host runs: the
/// configuration the host started with plus the edits in force, behind one lock. An edit is
/// checked as the configuration is (the setting's own rule, then the plug-in made from the
/// result, which checks rules across keys), so a value refused at start is refused here too.
public final class ParameterEditor: Sendable {
    let plugins: [StrategyPlugin]
    let base: ServiceContext
    let configuration: Mutex<ConfigurationLayers>

    /// Why an edit was not made: `outcome` for the reply ("invalid", "not_editable").
    struct Refusal: Error {
        let outcome: String
        let detail: String
    }

    public init(plugins: [StrategyPlugin], context: ServiceContext) {
        self.plugins = plugins
        self.base = context
        self.configuration = Mutex(context.configuration)
    }

    /// Every enabled plug-in's parameters, as this worker runs them.
    func parameters() -> [Volta_V1_StrategyParameter] {
        let layers = configuration.withLock { $0 }
        return plugins.flatMap { plugin in
            plugin.settings.map { setting in
                let (value, origin) = layers.shown(setting)
                return Volta_V1_StrategyParameter.with {
                    $0.strategy = plugin.name
                    $0.key = setting.key
                    $0.value = value
                    $0.defaultValue = setting.defaultDescription
                    $0.accepted = setting.accepted
                    $0.help = setting.help
                    $0.origin = origin
                    $0.editable = !plugin.fixed.contains(setting.key) && !setting.isSecret
                }
            }
        }
    }

    /// The edit as it would be published (its plug-in and the value it replaces filled in), or
    /// why it cannot be made. Nothing changes here: every worker applies the published edit.
    func check(_ change: Volta_V1_ParameterChange) throws(Refusal) -> Volta_V1_ParameterChange {
        guard let (plugin, setting) = find(change.key) else {
            let known = plugins.flatMap { $0.settings.map(\.key) }.sorted().joined(separator: ", ")
            throw Refusal(outcome: "invalid", detail: "\(change.key): not a parameter of an enabled strategy; known: \(known)")
        }
        guard !plugin.fixed.contains(setting.key), !setting.isSecret else {
            throw Refusal(outcome: "not_editable", detail: "\(change.key) is fixed while the strategy runs: change it in the configuration and restart")
        }
        if !change.reset {
            guard setting.validate(change.value) else {
                throw Refusal(outcome: "invalid", detail: "\(change.key): '\(change.value)' is not \(setting.accepted)")
            }
        }
        let layers = configuration.withLock { $0 }
        do {
            _ = try plugin.make(context(layers.editing(change.key, to: change.reset ? nil : change.value, origin: "operator")))
        } catch {
            throw Refusal(outcome: "invalid", detail: "\(error)")
        }
        var checked = change
        checked.strategy = plugin.name
        checked.previous = layers.shown(setting).value
        return checked
    }

    /// Takes an edit in (one this worker or another checked): the plug-in it belongs to and a
    /// fresh instance made from the edited configuration, for the running one to adopt.
    func apply(_ change: Volta_V1_ParameterChange) throws -> (plugin: StrategyPlugin, fresh: any Strategy) {
        guard let (plugin, _) = find(change.key) else {
            throw Refusal(outcome: "invalid", detail: "\(change.key) is not a parameter of a strategy enabled here")
        }
        let origin = "operator \(change.who.isEmpty ? "(unnamed)" : change.who) at \(Self.time(change.atNs))"
        return try configuration.withLock { layers in
            let edited = layers.editing(change.key, to: change.reset ? nil : change.value, origin: origin)
            let fresh = try plugin.make(context(edited))
            layers = edited
            return (plugin, fresh)
        }
    }

    func find(_ key: String) -> (StrategyPlugin, any AnySetting)? {
        for plugin in plugins {
            if let setting = plugin.settings.first(where: { $0.key == key }) { return (plugin, setting) }
        }
        return nil
    }

    func context(_ layers: ConfigurationLayers) -> ServiceContext {
        ServiceContext(bus: base.bus, configuration: layers, logger: base.logger, counters: base.counters)
    }

    static func time(_ ns: Int64) -> String {
        Date(timeIntervalSince1970: Double(ns) / 1e9).formatted(.iso8601)
    }
}
