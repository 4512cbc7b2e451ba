namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>One line of a static token file: the token and the user it stands for.</summary>
public sealed record StaticToken(string Token, UserInfo User);
