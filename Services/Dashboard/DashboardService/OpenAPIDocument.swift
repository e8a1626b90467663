import Hummingbird
import NIOCore

/// `GET /openapi.json`: the API described as OpenAPI 3, the ecosystem's convention, so clients
/// and tools (code generators, schemathesis) can be made from it. Open to every reader the API
/// is open to.
enum OpenAPIDocument {
    static func register(on router: Router<DashboardContext>) {
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
        }
    }
}
