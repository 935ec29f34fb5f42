/** `smpp-otel-agent generate`: the project's synthetic capture generator. */
export async function runGenerate(args: string[]): Promise<number> {
  const { main } = await import('../generator/cli');
  return main(args);
}
