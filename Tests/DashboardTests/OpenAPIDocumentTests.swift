import Bus
@testable import DashboardService
import Foundation
import Hummingbird
import Logging
import Testing

/// The OpenAPI document describes every route the dashboard serves, and only those.
@Suite struct OpenAPIDocumentTests {
    @Test func everyRouteIsDescribedAndEveryDescribedRouteExists() throws {
        let hub = InMemoryHub(clock: WallClock())
        let bus = Bus(identity: ServiceIdentity(service: "dashboard", instance: "d", epoch: 1), transport: hub.connect(instance: "d"))
        let served = Set(DashboardService(bus: bus, logger: Logger(label: "d")).routes().router.routes
            .map { "\($0.method.rawValue) \($0.path.description)" })
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.0.3")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let described = Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
        #expect(served.subtracting(described.union(["GET /"])).isEmpty, "served, not described: \(served.subtracting(described).sorted())")
        #expect(described.subtracting(served).isEmpty, "described, not served: \(described.subtracting(served).sorted())")
        #expect(served.count >= 26, "\(served.sorted())")
    }
}
