// Sign-up and sign-in through the Cognito user pool's JSON API, called with fetch: a POST to the
// pool region's endpoint with `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>` and
// `Content-Type: application/x-amz-json-1.1`, as AWS's SDKs send it (Cognito API Reference,
// "Making API requests"). SignUp, ConfirmSignUp and InitiateAuth need no AWS credentials, only
// the app client's id (a client without a secret). The session is the ID token alone, kept in
// sessionStorage (this tab only, gone when it closes); never in a cookie, never logged.

const SESSION_KEY = 'review-api.idToken';

export class CognitoError extends Error {
  constructor(type, detail) {
    super(detail || type);
    this.type = type;
    this.detail = detail || '';
  }
}

const WORDS = {
  UsernameExistsException: () => 'An account with this email already exists. Sign in instead.',
  InvalidPasswordException: (e) => `Please choose a stronger password. ${e.detail}`,
  NotAuthorizedException: () => 'That email and password do not match an account.',
  UserNotFoundException: () => 'That email and password do not match an account.',
  UserNotConfirmedException: () => 'This account is not confirmed yet: enter the code we emailed you.',
  CodeMismatchException: () => 'That code is not right. Check the email and try again.',
  ExpiredCodeException: () => 'That code has expired. Sign up again to get a new one.',
  InvalidParameterException: (e) => `Please check the form. ${e.detail}`,
  TooManyRequestsException: () => 'Too many attempts. Wait a minute, then try again.',
  LimitExceededException: () => 'Too many attempts. Wait a minute, then try again.',
  NetworkError: () => 'The sign-in service could not be reached. Check your connection and try again.',
};

export function describeCognitoError(error) {
  const words = WORDS[error.type];
  return words ? words(error).trim() : `Signing in did not work: ${error.detail || error.type}`;
}

export function cognito(config) {
  async function call(action, payload) {
    let response;
    try {
      response = await fetch(config.cognitoEndpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(payload),
      });
    } catch {
      throw new CognitoError('NetworkError');
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      // `__type` may carry a namespace: "com.amazonaws...#NotAuthorizedException".
      const type = String(data.__type || data.code || 'Error').split('#').pop();
      throw new CognitoError(type, String(data.message || data.Message || ''));
    }
    return data;
  }
  const ClientId = config.userPoolClientId;
  return {
    async signUp(email, password, name) {
      const data = await call('SignUp', {
        ClientId, Username: email, Password: password,
        UserAttributes: [{ Name: 'email', Value: email }, { Name: 'name', Value: name }],
      });
      return Boolean(data.UserConfirmed);
    },
    async confirm(email, code) {
      await call('ConfirmSignUp', { ClientId, Username: email, ConfirmationCode: code });
    },
    async signIn(email, password) {
      const data = await call('InitiateAuth', {
        ClientId, AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      });
      if (!data.AuthenticationResult) {  // a challenge (new password, MFA): not offered here
        throw new CognitoError('Challenge', `the account needs ${data.ChallengeName}, which this page does not offer`);
      }
      return remember(data.AuthenticationResult.IdToken);
    },
  };
}

// The claims of a JWT's payload (base64url JSON). Read only to show the name and to know the
// expiry; the API's authorizer is what verifies the signature.
export function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

function sessionOf(token) {
  const claims = token ? claimsOf(token) : null;
  if (!claims || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
  const name = claims.name || claims['cognito:username'] || claims.email || 'you';
  return { idToken: token, sub: claims.sub, name: String(name), exp: claims.exp };
}

function remember(token) {
  const session = sessionOf(token);
  if (session) sessionStorage.setItem(SESSION_KEY, token);
  return session;
}

// The current session, read afresh each time; null when absent, unreadable or expired (a
// minute of margin, so a request does not leave with a token about to expire).
export function currentSession(now = Date.now()) {
  const session = sessionOf(sessionStorage.getItem(SESSION_KEY));
  return session && session.exp * 1000 > now + 60_000 ? session : null;
}

export function hadSession() {
  return sessionStorage.getItem(SESSION_KEY) !== null;
}

export function forget() {
  sessionStorage.removeItem(SESSION_KEY);
}
