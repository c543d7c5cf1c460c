extension String {
    /// The URL text without one trailing "/", so a path can be appended to a base URL given with
    /// or without it.
    public var withoutTrailingSlash: String {
        self.hasSuffix("/") ? String(self.dropLast()) : self
    }
}
