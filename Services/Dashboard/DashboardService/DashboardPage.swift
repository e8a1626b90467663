import HTTPTypes
import Hummingbird

/// The single web page, served by the dashboard itself: no CDN, nothing fetched from outside.
enum DashboardPage {
    static func register(on router: Router<DashboardContext>) {
        router.get("/") { _, _ in
            APIResponse.text(html, contentType: "text/html; charset=utf-8",
                             extra: [HTTPField.Name("Content-Security-Policy")!: "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'"])
        }
    }


}
