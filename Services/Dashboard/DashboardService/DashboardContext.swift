import HTTPTypes
import Hummingbird
import NIOCore

/// Hummingbird's request context plus the peer's address: reads are open to 127.0.0.1 only.
public struct DashboardContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    var isLoopback: Bool {
        guard let ip = remoteAddress?.ipAddress else { return false }
        return ip == "::1" || ip.hasPrefix("127.") || ip.hasPrefix("::ffff:127.")
    }
}

/// Who may do what. Writes (the trade trigger, the kill switch) need the bearer token from
/// `dashboard.token`, and are refused outright when none is configured. Reads are open to
/// loopback clients, and to everyone only with `dashboard.open_reads`; others need the token.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = DashboardContext
    let token: String
    let openReads: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let write = request.method == .post
        if write && token.isEmpty {
            return APIResponse.error(.forbidden, "writes are disabled: no dashboard.token is configured")
        }
        if write || !(openReads || context.isLoopback) {
            guard authorized(request) else {
                var r = APIResponse.error(.unauthorized, write ? "this endpoint needs 'Authorization: Bearer <dashboard.token>'"
                                                             : "reads from outside 127.0.0.1 need the token")
                r.headers[.wwwAuthenticate] = "Bearer"
                return r
            }
        }
        return try await next(request, context)
    }

    /// The header, or `?token=` on the event stream alone (a browser's EventSource cannot set
    /// headers).
    func authorized(_ request: Request) -> Bool {
        var presented = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        if presented == nil, request.uri.path == "/api/events" { presented = request.uri.queryParameters["token"].map(String.init) }
        guard let presented, !token.isEmpty else { return false }
        return Self.constantTimeEqual(Array(presented.utf8), Array(token.utf8))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) { diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
        return diff == 0
    }
}

/// Responses in the API's one JSON shape: a body, or `{"error": "..."}` with its status.
enum APIResponse {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.data)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(.object([("error", .string(message))]), status: status)
    }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: contentType, .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
