/** The edge reverse proxy: its nginx.conf renderer, its component and the dev certificate. */
export * from "./nginx";
export * from "./edge";
export * from "./self-signed";
