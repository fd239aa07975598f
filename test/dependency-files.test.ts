import { DEPENDENCY_FILES } from '../src/contracts/dependency-files';

describe('dependency files', () => {
  test("are PythonFunction's, in its order", () => {
    expect(DEPENDENCY_FILES).toEqual(['Pipfile.lock', 'poetry.lock', 'requirements.txt', 'uv.lock']);
  });
});
