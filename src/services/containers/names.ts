// Container names: Docker's validation and its "adjective_surname" generator.
import { randomInt } from 'node:crypto';
import { InvalidParameterError } from '../../errors';

const VALID = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const LEFT = ['admiring', 'adoring', 'agitated', 'amazing', 'angry', 'awesome', 'blissful', 'bold', 'boring', 'brave',
  'busy', 'charming', 'clever', 'cool', 'compassionate', 'competent', 'confident', 'crazy', 'dazzling', 'determined',
  'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated', 'elegant', 'epic', 'exciting', 'fervent',
  'festive', 'flamboyant', 'focused', 'friendly', 'frosty', 'funny', 'gallant', 'gifted', 'goofy', 'gracious',
  'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry', 'infallible', 'inspiring', 'jolly', 'jovial', 'keen',
  'kind', 'laughing', 'loving', 'lucid', 'magical', 'modest', 'musing', 'naughty', 'nervous', 'nice', 'nifty',
  'nostalgic', 'objective', 'optimistic', 'peaceful', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical',
  'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange', 'suspicious',
  'sweet', 'tender', 'thirsty', 'trusting', 'upbeat', 'vibrant', 'vigilant', 'vigorous', 'wizardly', 'wonderful',
  'xenodochial', 'youthful', 'zealous', 'zen'];
const RIGHT = ['agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bartik', 'bell',
  'bhabha', 'blackwell', 'bohr', 'booth', 'borg', 'bose', 'brahmagupta', 'brown', 'carson', 'cerf', 'chandrasekhar',
  'curie', 'darwin', 'dijkstra', 'dirac', 'einstein', 'elion', 'euclid', 'euler', 'fermat', 'fermi', 'feynman',
  'franklin', 'galileo', 'gauss', 'goldberg', 'goodall', 'hamilton', 'hawking', 'heisenberg', 'hodgkin', 'hopper',
  'hypatia', 'jackson', 'jang', 'johnson', 'kalam', 'kepler', 'khorana', 'knuth', 'kowalevski', 'lalande', 'lamarr',
  'leakey', 'lovelace', 'lumiere', 'mayer', 'mccarthy', 'mclean', 'meitner', 'mendel', 'merkle', 'morse', 'napier',
  'newton', 'nightingale', 'nobel', 'noether', 'pare', 'pascal', 'pasteur', 'payne', 'perlman', 'pike', 'poincare',
  'ptolemy', 'raman', 'ritchie', 'rosalind', 'sammet', 'shannon', 'shaw', 'sinoussi', 'stonebraker', 'swanson',
  'tesla', 'thompson', 'torvalds', 'turing', 'villani', 'wescoff', 'wiles', 'williams', 'wozniak', 'wright', 'yalow'];

/** "/name" from a user-given name; InvalidParameter with Docker's wording when invalid. */
export function normalizeName(name: string): string {
  if (!VALID.test(name)) {
    throw new InvalidParameterError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.startsWith('/') ? name : `/${name}`;
}

/** A fresh "/adjective_surname" not accepted by `taken`. */
export function generateName(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) {
    let name = `/${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
    if (i > 10) name += randomInt(10);
    if (!taken(name)) return name;
  }
}
