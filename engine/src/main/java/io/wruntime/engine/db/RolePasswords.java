package io.wruntime.engine.db;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The password of a namespace role, derived from the admin credentials: HMAC-SHA256 keyed with the
 * admin user and password over the role name, base64url. Every engine configured with the same
 * admin login computes the same password, so engines starting together never overwrite each
 * other's; the password is as secret as the admin password it comes from.
 */
final class RolePasswords {
  private static final String LABEL = "wruntime db role password v1\0";

  private RolePasswords() {}

  static String derive(AdminCredentials admin, String role) {
    requireNonNull(admin, "admin");
    requireNonNull(role, "role");
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      byte[] key = (admin.user() + "\0" + admin.password()).getBytes(StandardCharsets.UTF_8);
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal((LABEL + role).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
