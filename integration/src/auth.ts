// Authentication for every route. Harper passes unauthenticated requests to component middleware
// with `request.user` null, so each route checks the user and its role itself.
import type { HarperRequest, HarperUser } from './harper.js';
import { HttpError } from './http-error.js';

function isSuperUser(user: HarperUser): boolean {
  return user.role?.permission?.super_user === true;
}

function isClusterUser(user: HarperUser): boolean {
  return user.role?.permission?.cluster_user === true;
}

/** Returns the request's user, or throws 401 without credentials and 403 without the role. */
export function requireSuperUser(request: HarperRequest): HarperUser {
  const user = requireUser(request);
  if (!isSuperUser(user)) {
    throw new HttpError(
      403,
      'FORBIDDEN',
      `user ${user.username ?? '(unnamed)'} is not a super user: deployments need a user with the super_user role`,
    );
  }
  return user;
}

/** Like requireSuperUser, but also admits Harper's cluster user for node-to-node routes. */
export function requireClusterMember(request: HarperRequest): HarperUser {
  const user = requireUser(request);
  if (!isSuperUser(user) && !isClusterUser(user)) {
    throw new HttpError(
      403,
      'FORBIDDEN',
      `user ${user.username ?? '(unnamed)'} is neither a super user nor a cluster user`,
    );
  }
  return user;
}

function requireUser(request: HarperRequest): HarperUser {
  if (!request.user) {
    const sent = Boolean(request.headers.get('authorization'));
    throw new HttpError(
      401,
      'UNAUTHORIZED',
      sent
        ? 'invalid credentials: check the username and password'
        : 'missing credentials: send HTTP Basic or token authorization for a super user',
    );
  }
  return request.user;
}
