using System.Globalization;
using System.Text;

namespace DlibModels.Dnn.Architecture;

/// <summary>
/// Parses dlib network declarations written as C++: template aliases
/// (<c>template &lt;int N, typename SUBNET&gt; using rcon5 = relu&lt;affine&lt;con5&lt;N,SUBNET&gt;&gt;&gt;;</c>)
/// and a final type (<c>using net_type = loss_mmod&lt;...&gt;;</c> or a bare type expression), and
/// expands the aliases into a single term of dlib's built-in layer templates.
/// </summary>
public static class TypeExpressionParser
{
    private const int MaxExpansionDepth = 10_000;

    /// <summary>Parses and expands <paramref name="text"/>; the last non-template alias (or bare type) is the network.</summary>
    /// <exception cref="ArchitectureException">The text is not valid or uses an unknown construct.</exception>
    public static TypeTerm ParseNetwork(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = Tokenize(text);
        var aliases = new Dictionary<string, Alias>(StringComparer.Ordinal);
        TypeTerm? last = null;
        int pos = 0;
        while (pos < tokens.Count)
        {
            string t = tokens[pos];
            if (t == ";")
            {
                pos++;
                continue;
            }

            if (t is "namespace")
            {
                // namespace X { ... }: skip the header, keep reading the body.
                pos += 2;
                if (pos < tokens.Count && tokens[pos] == "{")
                {
                    pos++;
                }

                continue;
            }

            if (t is "{" or "}")
            {
                pos++;
                continue;
            }

            List<string>? parameters = null;
            if (t == "template")
            {
                pos++;
                parameters = ParseTemplateParameters(tokens, ref pos);
                t = Peek(tokens, pos);
            }

            if (t == "using")
            {
                pos++;
                string name = Expect(tokens, ref pos, null);
                Expect(tokens, ref pos, "=");
                TypeTerm body = ParseTerm(tokens, ref pos);
                aliases[name] = new Alias(parameters ?? [], body, parameters is not null);
                if (parameters is null)
                {
                    last = TypeTerm.Ident(name);
                }

                continue;
            }

            if (parameters is not null)
            {
                throw new ArchitectureException($"expected 'using' after a template parameter list, found '{t}'");
            }

            last = ParseTerm(tokens, ref pos);
        }

        if (last is null)
        {
            throw new ArchitectureException("no network type found: give a type expression such as loss_metric<fc_no_bias<128, ...>> or a 'using net_type = ...;' declaration");
        }

        int depth = 0;
        return Expand(last, new Dictionary<string, TypeTerm>(StringComparer.Ordinal), aliases, ref depth);
    }

    private static TypeTerm Expand(TypeTerm term, Dictionary<string, TypeTerm> env, Dictionary<string, Alias> aliases, ref int depth)
    {
        if (++depth > MaxExpansionDepth)
        {
            throw new ArchitectureException("alias expansion is too deep (recursive aliases?)");
        }

        if (term.IsNumber)
        {
            return term;
        }

        string name = term.Name;
        if (env.TryGetValue(name, out TypeTerm? bound))
        {
            if (term.Args is null)
            {
                return bound;
            }

            name = bound.Name;
        }

        var args = new List<TypeTerm>();
        if (term.Args is not null)
        {
            foreach (TypeTerm a in term.Args)
            {
                args.Add(Expand(a, env, aliases, ref depth));
            }
        }

        if (name == "repeat" && args.Count == 3 && !args[1].IsNumber && args[1].Args is null)
        {
            // repeat<N, BLOCK, SUBNET>: BLOCK is a one-parameter template; expand it over a placeholder
            // for dlib's repeat_input_layer so the block's layers become visible.
            var applied = new TypeTerm(args[1].Name, 0, [TypeTerm.Ident(NetArchitecture.RepeatInput)]);
            TypeTerm block = Expand(applied, new Dictionary<string, TypeTerm>(StringComparer.Ordinal), aliases, ref depth);
            return new TypeTerm(name, 0, [args[0], block, args[2]]);
        }

        if (aliases.TryGetValue(name, out Alias? alias))
        {
            if (alias.IsTemplate && term.Args is null)
            {
                // A template alias passed as a template-template argument.
                return TypeTerm.Ident(name);
            }

            if (args.Count != alias.Parameters.Count)
            {
                throw new ArchitectureException($"alias '{name}' takes {alias.Parameters.Count} arguments but is given {args.Count}");
            }

            var inner = new Dictionary<string, TypeTerm>(StringComparer.Ordinal);
            for (int i = 0; i < args.Count; i++)
            {
                inner[alias.Parameters[i]] = args[i];
            }

            return Expand(alias.Body, inner, aliases, ref depth);
        }

        return term.Args is null ? TypeTerm.Ident(name) : new TypeTerm(name, 0, args);
    }

    private static List<string> ParseTemplateParameters(List<string> tokens, ref int pos)
    {
        Expect(tokens, ref pos, "<");
        var names = new List<string>();
        while (true)
        {
            string last = string.Empty;
            int nesting = 0;
            while (pos < tokens.Count)
            {
                string t = tokens[pos];
                if (t == "<")
                {
                    nesting++;
                }
                else if (t == ">")
                {
                    if (nesting == 0)
                    {
                        break;
                    }

                    nesting--;
                }
                else if (t == "," && nesting == 0)
                {
                    break;
                }
                else if (nesting == 0 && IsIdentifier(t))
                {
                    last = t;
                }

                pos++;
            }

            if (pos >= tokens.Count)
            {
                throw new ArchitectureException("unterminated template parameter list");
            }

            if (last.Length == 0 || last is "typename" or "class")
            {
                throw new ArchitectureException("template parameters must be named");
            }

            names.Add(last);
            string sep = tokens[pos++];
            if (sep == ">")
            {
                return names;
            }
        }
    }

    private static TypeTerm ParseTerm(List<string> tokens, ref int pos)
    {
        string t = Expect(tokens, ref pos, null);
        if (t == "-" && pos < tokens.Count && long.TryParse(tokens[pos], NumberStyles.Integer, CultureInfo.InvariantCulture, out long neg))
        {
            pos++;
            return TypeTerm.Num(-neg);
        }

        if (long.TryParse(t.TrimEnd('u', 'U', 'l', 'L'), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
        {
            return TypeTerm.Num(value);
        }

        if (!IsIdentifier(t))
        {
            throw new ArchitectureException($"expected a type or number, found '{t}'");
        }

        string name = t;
        while (Peek(tokens, pos) == "::")
        {
            pos++;
            name = Expect(tokens, ref pos, null);
        }

        if (Peek(tokens, pos) != "<")
        {
            return TypeTerm.Ident(name);
        }

        pos++;
        var args = new List<TypeTerm>();
        while (true)
        {
            args.Add(ParseTerm(tokens, ref pos));
            string sep = Expect(tokens, ref pos, null);
            if (sep == ">")
            {
                return new TypeTerm(name, 0, args);
            }

            if (sep != ",")
            {
                throw new ArchitectureException($"expected ',' or '>' in the arguments of '{name}', found '{sep}'");
            }
        }
    }

    private static string Peek(List<string> tokens, int pos) => pos < tokens.Count ? tokens[pos] : string.Empty;

    private static string Expect(List<string> tokens, ref int pos, string? expected)
    {
        if (pos >= tokens.Count)
        {
            throw new ArchitectureException(expected is null ? "unexpected end of the type expression" : $"expected '{expected}' but the text ended");
        }

        string t = tokens[pos++];
        if (expected is not null && t != expected)
        {
            throw new ArchitectureException($"expected '{expected}', found '{t}'");
        }

        return t;
    }

    private static bool IsIdentifier(string t) => t.Length > 0 && (char.IsLetter(t[0]) || t[0] == '_');

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
            }
            else if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                var sb = new StringBuilder();
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    sb.Append(text[i++]);
                }

                tokens.Add(sb.ToString());
            }
            else if (c == ':' && i + 1 < text.Length && text[i + 1] == ':')
            {
                tokens.Add("::");
                i += 2;
            }
            else if ("<>,;={}-".Contains(c))
            {
                tokens.Add(c.ToString());
                i++;
            }
            else
            {
                throw new ArchitectureException($"unexpected character '{c}' at position {i} of the type expression");
            }
        }

        return tokens;
    }

    private sealed record Alias(List<string> Parameters, TypeTerm Body, bool IsTemplate);
}
