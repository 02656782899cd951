using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Auth;

/// <summary>The certificate of <c>Auth:KeyRingCertificatePath</c>, which encrypts the data-protection key ring at rest.</summary>
internal static class KeyRingCertificate
{
    /// <summary>The certificate with its private key, or null when none is configured.</summary>
    /// <exception cref="OptionsValidationException">The file is missing, unreadable, the password wrong, or it has no private key: one line naming the key.</exception>
    public static X509Certificate2? Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(AuthOptions.Section);
        var path = section[nameof(AuthOptions.KeyRingCertificatePath)];
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        const string Key = $"{AuthOptions.Section}:{nameof(AuthOptions.KeyRingCertificatePath)}";
        string? fault = null;
        X509Certificate2? certificate = null;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, section[nameof(AuthOptions.KeyRingCertificatePassword)]);
            if (!certificate.HasPrivateKey)
            {
                fault = $"{Key} must be a PKCS#12 (.pfx) file with the certificate's private key ('{path}' has none).";
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            // The exception's text is not echoed: it could say more about the file than an operator's log should.
            fault = $"{Key} must be a readable PKCS#12 (.pfx) file whose password is {AuthOptions.Section}:{nameof(AuthOptions.KeyRingCertificatePassword)} ('{path}' is not, or the password is wrong).";
        }

        if (fault is not null)
        {
            certificate?.Dispose();
            throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions), [fault]);
        }

        return certificate;
    }
}
