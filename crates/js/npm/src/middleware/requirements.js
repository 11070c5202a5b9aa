// The requirements a route may have. Each is data with a `check(session)` returning undefined
// when met, else the reason given in the 403 body. Every one implies a signed-in user (a
// missing session gets the sign-in redirect or 401 before any check runs).

const requirement = (description, check) => Object.freeze({ description, check });

/** Any signed-in user. */
export const requireAuth = () => requirement('signed in', () => undefined);

/** A session in an organization (`id` given: that one). */
export const requireOrganization = (id) =>
  requirement(id ? `organization ${id}` : 'an organization', (session) => {
    if (!session.organizationId) return 'organization_required';
    if (id && session.organizationId !== id) return 'organization_mismatch';
    return undefined;
  });

/** The role `slug` in the session's organization (the token's `role` or `roles`). */
export const requireRole = (slug) =>
  requirement(`role ${slug}`, (session) => (session.role === slug || session.roles?.includes(slug) ? undefined : 'role_required'));

/** The permission `slug` in the session's token. */
export const requirePermission = (slug) =>
  requirement(`permission ${slug}`, (session) => (session.permissions?.includes(slug) ? undefined : 'permission_required'));
