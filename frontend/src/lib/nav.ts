// The app's pages, and which of them only admins may use (the server refuses the rest a 403 anyway).

export interface NavPage {
	href: string;
	label: string;
	adminOnly: boolean;
}

export const PAGES: readonly NavPage[] = [
	{ href: '/providers', label: 'Providers', adminOnly: true },
	{ href: '/routing', label: 'Routing', adminOnly: true },
	{ href: '/models', label: 'Models', adminOnly: true },
	{ href: '/playground', label: 'Playground', adminOnly: false },
	{ href: '/requests', label: 'Requests', adminOnly: true },
	{ href: '/keys', label: 'Keys', adminOnly: true },
	{ href: '/users', label: 'Users', adminOnly: true }
];

export function pagesFor(isAdmin: boolean): NavPage[] {
	return PAGES.filter((p) => isAdmin || !p.adminOnly);
}

/** The page a path belongs to, if any. */
export function pageOf(pathname: string): NavPage | undefined {
	return PAGES.find((p) => pathname === p.href || pathname.startsWith(`${p.href}/`));
}

/** Where to land after sign-in: the first page this user may use. */
export function home(isAdmin: boolean): string {
	return pagesFor(isAdmin)[0]!.href;
}
