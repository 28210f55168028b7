// A single-page app: everything renders in the browser, the server only serves index.html.
export const ssr = false;
export const prerender = false;
