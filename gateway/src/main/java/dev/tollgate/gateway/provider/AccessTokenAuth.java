package dev.tollgate.gateway.provider;

/**
 * A capability of adapters whose provider credential is not sent as it is: it is a Google
 * service-account key, which the router exchanges for a short-lived OAuth2 access token (cached, see
 * {@code routing.AccessTokens}) and hands to the adapter as {@link ProviderEndpoint#credential()}.
 */
public interface AccessTokenAuth {

  /** The OAuth2 scope the access token must carry. */
  String oauthScope();
}
