/** One scrape of /metrics, as Prometheus reads it: each sample by its name and labels as written (`name{a="1",b="2"}`). */
export async function scrape(serverUrl: string, token: string): Promise<Map<string, number>> {
  const response = await fetch(new URL('/metrics', serverUrl), { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const split = line.lastIndexOf(' ');
    samples.set(line.slice(0, split), Number(line.slice(split + 1)));
  }
  return samples;
}

/** What a sample moved by between two scrapes (absent counts as 0). */
export const moved = (before: Map<string, number>, after: Map<string, number>, sample: string) => (after.get(sample) ?? 0) - (before.get(sample) ?? 0);
