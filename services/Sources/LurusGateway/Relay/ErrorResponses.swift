import Hummingbird
import LLMWire
import NIOCore

/// Error answers in the client's protocol.
enum ErrorResponses {
    static func response(_ kind: ErrorKind, message: String, protocol wire: APIProtocol) -> Response {
        Response(
            status: .init(code: ErrorShape.status(for: kind, protocol: wire)),
            headers: [.contentType: "application/json"],
            body: ResponseBody(
                byteBuffer: ByteBuffer(bytes: ErrorShape.body(for: kind, message: message, protocol: wire))
            )
        )
    }
}
