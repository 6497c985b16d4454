import { Link } from "../routing/Router";

export function SignInPrompt({ next, what }: { next: string; what: string }) {
  const query = `?next=${encodeURIComponent(next)}`;
  return (
    <section>
      <h1>Please sign in</h1>
      <p>
        <Link href={`/sign-in${query}`}>Sign in</Link> or <Link href={`/register${query}`}>create an account</Link> to{" "}
        {what}.
      </p>
    </section>
  );
}
