// A real OpenID Connect provider for the portal's sign-in tests: panva's
// certified oidc-provider, with one static client and fixed accounts.
// Usage: node provider.mjs <config.json>
//   {"port": 1234, "issuer": "http://127.0.0.1:1234",
//    "client": {"client_id": "...", "client_secret": "...", "redirect_uris": ["..."]},
//    "accounts": {"<login>": {"name": "...", "nip": "...", "roles": ["..."]}}}
// People sign in on the library's own development login page (any password);
// consent is granted for the static client (a first-party portal asks none).
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: "jwk" }), kid: "kinerja-test", use: "sig", alg: "RS256" };

const provider = new Provider(config.issuer, {
  clients: [{ ...config.client, grant_types: ["authorization_code"], response_types: ["code"] }],
  jwks: { keys: [jwk] },
  claims: { openid: ["sub"], profile: ["name", "nip", "roles"], email: ["email"] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ["kinerja-test-oidc-cookie-key"] },
  async findAccount(ctx, id) {
    const person = config.accounts[id];
    if (!person) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...person }; } };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(" ") : "openid");
    await grant.save();
    return grant;
  },
});
provider.listen(config.port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${config.issuer}`);
});
